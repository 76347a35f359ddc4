/**
 * ONNX export by tracing: a model's composition runs once through {@link org.transformer4j.onnx.export.OnnxExportOps},
 * whose tensors are graph values and whose calls append ONNX nodes; {@link org.transformer4j.onnx.export.OnnxExporter}
 * wires the inputs (ids, masks, past keys and values), the outputs (logits, presents) and the metadata, and writes
 * the {@code .onnx} files.
 */
package org.transformer4j.onnx.export;
