/**
 * Decoding: turning a trained model into tokens and text, on any runtime.
 *
 * <p>Two runtime contracts say what a backend must run: {@link org.transformer4j.generate.GptRuntime} (a forward pass
 * against a {@link org.transformer4j.generate.GptCache} whose rows can be selected, joined and trimmed) and
 * {@link org.transformer4j.generate.Seq2SeqRuntime} (encode once, decode steps against a
 * {@link org.transformer4j.generate.Seq2SeqCache}). Each is implemented once over the {@link org.transformer4j.nn.Ops}
 * composition ({@link org.transformer4j.generate.OpsGptRuntime}, {@link org.transformer4j.generate.OpsSeq2SeqRuntime})
 * and once over ONNX Runtime (backend-onnx). Everything else is written once on top:
 *
 * <ul>
 *   <li>{@link org.transformer4j.generate.GptGenerator}: a GPT continues one prompt or a batch of prompts of
 *       different lengths ({@link org.transformer4j.generate.GptBatchRun}: left-padded, per-row positions and seeds,
 *       finished rows leave; equal to generating each alone), greedy or sampled
 *       ({@link org.transformer4j.generate.GenerationOptions}, {@link org.transformer4j.generate.TokenSampler}), or
 *       runs beam search.</li>
 *   <li>{@link org.transformer4j.generate.Seq2SeqGenerator}: an encoder-decoder encodes the source once and decodes
 *       from BOS to EOS, greedy, sampled or with beam search.</li>
 *   <li>Search strategies over a {@link org.transformer4j.generate.DecodingSession} (start, step, reorder rows):
 *       {@link org.transformer4j.generate.SamplingSearch} (greedy or sampled; through a
 *       {@link org.transformer4j.generate.TokenGenerator} it slides the window past the context length) and
 *       {@link org.transformer4j.generate.BeamSearch} (width, length penalty, end-of-sequence handling, n-best).</li>
 *   <li>{@link org.transformer4j.generate.TextGenerator} and {@link org.transformer4j.generate.StopStringStream}:
 *       text in, text out, streamed in pieces, ending at stop strings that are trimmed.</li>
 * </ul>
 *
 * <p>Most programs use {@link org.transformer4j.inference.LanguageModel}, which opens a directory and holds one of
 * these runtimes.
 */
package org.transformer4j.generate;
