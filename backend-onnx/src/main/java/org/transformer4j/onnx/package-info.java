/**
 * Serving exported models with ONNX Runtime: {@link org.transformer4j.onnx.OnnxModel} (a GPT: the onnx
 * {@link org.transformer4j.generate.GptRuntime}, whole sequences and incremental steps with an
 * {@link org.transformer4j.onnx.OnnxKvCache}) and {@link org.transformer4j.onnx.OnnxSeq2SeqModel} (an encoder-decoder:
 * the onnx {@link org.transformer4j.generate.Seq2SeqRuntime}); the API's generators, beam search and text loops run on
 * them unchanged. The {@code onnx} backend ({@link org.transformer4j.onnx.OnnxBackend}) serves and exports graphs and
 * does not train. The file layout (inputs, outputs, metadata) is in {@link org.transformer4j.onnx.OnnxNames}; export
 * is in {@code org.transformer4j.onnx.export}, reached through {@link org.transformer4j.backend.ExportingEngine}.
 */
package org.transformer4j.onnx;
