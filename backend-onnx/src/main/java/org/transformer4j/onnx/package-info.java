/**
 * Serving exported models with ONNX Runtime: {@link org.transformer4j.onnx.OnnxModel} (GPT, whole sequences and
 * incremental steps with an {@link org.transformer4j.onnx.OnnxKvCache}), {@link org.transformer4j.onnx.OnnxGptGenerator}
 * (a {@link org.transformer4j.generate.TokenGenerator}: greedy, sampling, beam search and text with stop strings run
 * the API's own loops over ONNX sessions), {@link org.transformer4j.onnx.OnnxSeq2SeqModel} (encoder-decoder) and
 * {@link org.transformer4j.onnx.OnnxSeq2SeqGenerator} (a {@link org.transformer4j.generate.TargetGenerator}), and the
 * {@code onnx} backend ({@link org.transformer4j.onnx.OnnxBackend}), which infers only.
 * The file layout (inputs, outputs, metadata) is in {@link org.transformer4j.onnx.OnnxNames}; export is in
 * {@link org.transformer4j.onnx.export}.
 */
package org.transformer4j.onnx;
