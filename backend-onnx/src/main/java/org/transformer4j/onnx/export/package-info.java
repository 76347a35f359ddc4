/**
 * ONNX export by tracing: a model's composition runs once through {@link org.transformer4j.onnx.export.OnnxExportOps},
 * whose tensors are graph values and whose calls append ONNX nodes; {@link org.transformer4j.onnx.export.OnnxExporter}
 * wires the inputs (ids, masks, positions, past keys and values in Hugging Face Optimum's names and layout), the
 * outputs (logits, presents) and the metadata, and writes the {@code .onnx} files (with ONNX external data beyond
 * 2 GiB of weights).
 */
package org.transformer4j.onnx.export;
