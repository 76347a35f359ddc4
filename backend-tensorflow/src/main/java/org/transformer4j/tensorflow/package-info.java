/**
 * The TensorFlow backend ({@code tensorflow}): TensorFlow Java 1.0 (TensorFlow 2.16), graph mode throughout, since
 * TensorFlow Java has no eager gradients.
 *
 * <ul>
 *   <li><b>Training</b> ({@link org.transformer4j.tensorflow.TfTrainingProgram}, the session runtime, over the graph
 *       {@link org.transformer4j.tensorflow.TfTrainingGraph} builds): the model's loss, written once
 *       against {@link org.transformer4j.nn.Ops}, is traced into one graph per batch signature with placeholders for
 *       the batch; weights, AdamW moments and accumulated gradients are resource variables; {@code
 *       Graph.addGradients} gives the gradients; AdamW and the global norm are plain graph math. A forward/backward
 *       or an optimizer step is one session run. Deterministic: the same seed gives the same losses.</li>
 *   <li><b>Inference</b> ({@link org.transformer4j.tensorflow.TfInferenceOps}): graph mode one op at a time, each
 *       op a small graph compiled on first use with shape-agnostic placeholders; activations come back to the Java
 *       heap after every op (so a composition that never closes its intermediate tensors cannot leak native memory),
 *       loaded weights stay in native tensors. Simple and leak-free, at the price of one copy per op: on a GPU the
 *       activations cross the bus at every op, so serve with ONNX Runtime or the cpu backend and train here.</li>
 *   <li><b>Devices</b>: {@code cpu} (default) or {@code gpu:N}; the GPU needs the CUDA build of the native library
 *       (Maven profile {@code tensorflow-gpu}), and asking for a GPU that TensorFlow cannot see fails when the engine
 *       opens, naming the device it looked for.</li>
 * </ul>
 *
 * Every layer contract is validated in Java before any graph node is built, with the cpu backend's rules, so a bad
 * input is an {@link java.lang.IllegalArgumentException} naming the op; token ids of a training batch are checked
 * on every batch fed.
 */
package org.transformer4j.tensorflow;
