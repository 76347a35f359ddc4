/**
 * Decoding: turning a trained model into tokens and text, on any inference backend.
 *
 * <p>Search strategies are written once over {@link org.transformer4j.generate.DecodingSession} (start, step, reorder
 * rows), which every runtime implements: {@link org.transformer4j.generate.TokenGenerator} (a GPT: the API's
 * {@code GptGenerator}, backend-onnx's {@code OnnxGptGenerator}) and {@link org.transformer4j.generate.TargetGenerator}
 * (an encoder-decoder: {@code Seq2SeqGenerator}, {@code OnnxSeq2SeqGenerator}) only open sessions and inherit
 * greedy/sampled decoding and beam search.
 *
 * <ul>
 *   <li>{@link org.transformer4j.generate.SamplingSearch}: greedy or sampled decoding over any session; through a
 *       {@code TokenGenerator} it slides the window past the context length (a new session over the most recent
 *       half-window).</li>
 *   <li>{@link org.transformer4j.generate.GptGenerator}: a GPT continues one prompt or a batch of prompts of
 *       different lengths (left-padded, per-row positions and seeds; equal to generating each alone), greedy or
 *       sampled ({@link org.transformer4j.generate.GenerationOptions}, {@link org.transformer4j.generate.TokenSampler}),
 *       with the key/value cache; or runs beam search.</li>
 *   <li>{@link org.transformer4j.generate.Seq2SeqGenerator}: an encoder-decoder encodes the source once and decodes
 *       from BOS to EOS, greedy, sampled or with beam search.</li>
 *   <li>{@link org.transformer4j.generate.BeamSearch}: width, length penalty, end-of-sequence handling and n-best
 *       output over any {@link org.transformer4j.generate.DecodingSession}; the beams run as one batch whose cache
 *       rows are reordered after each step ({@link org.transformer4j.model.KvCache#selectRows}).</li>
 *   <li>{@link org.transformer4j.generate.TextGenerator} and {@link org.transformer4j.generate.StopStringStream}:
 *       text in, text out, streamed in pieces, ending at stop strings that are trimmed.</li>
 * </ul>
 */
package org.transformer4j.generate;
