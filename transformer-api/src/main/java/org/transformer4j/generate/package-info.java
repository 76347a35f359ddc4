/**
 * Decoding: turning a trained model into tokens and text, on any inference backend.
 *
 * <ul>
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
