/**
 * Serving exported models with ONNX Runtime: {@link org.transformer4j.onnx.OnnxModel} (a GPT or Llama-family model: the onnx
 * {@link org.transformer4j.generate.GptRuntime}, whole sequences and incremental steps with an
 * {@link org.transformer4j.onnx.OnnxKvCache}) and {@link org.transformer4j.onnx.OnnxSeq2SeqModel} (an encoder-decoder:
 * the onnx {@link org.transformer4j.generate.Seq2SeqRuntime}); the API's generators, beam search and text loops run on
 * them unchanged. The {@code onnx} backend ({@link org.transformer4j.onnx.OnnxBackend}) serves and exports graphs and
 * does not train. The file layout (inputs, outputs, metadata) is in {@link org.transformer4j.onnx.OnnxNames}; export
 * is in {@code org.transformer4j.onnx.export}, reached through {@link org.transformer4j.backend.ExportingEngine}.
 *
 * <p>Graphs we did not write: a {@code model.onnx} without transformer4j's metadata is served as a decoder-only model
 * when a {@code config.json} beside it describes it (Hugging Face's GPT-2 or Llama-family config; that is how it is
 * recognised: no metadata, a config.json in the same directory) and its inputs and outputs are Hugging Face Optimum's
 * for a decoder with past (the same names, types and ranks as ours, checked against the config when the file opens);
 * the tokenizer is the directory's {@code tokenizer.json}. Such a directory (what {@code optimum-cli export onnx
 * --task text-generation-with-past} writes, without the merged decoder's {@code use_cache_branch}) opens with
 * {@link org.transformer4j.inference.LanguageModel#open}. Weights beside the graph in an external data file
 * ({@code model.onnx.data}, or Optimum's {@code model.onnx_data}) are read by ONNX Runtime from the directory.
 */
package org.transformer4j.onnx;
