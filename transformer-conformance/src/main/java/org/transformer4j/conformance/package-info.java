/**
 * The cross-backend conformance kit: runs the same cases on a reference engine and a candidate engine and
 * compares the numbers under documented {@link org.transformer4j.conformance.Tolerance}s. A
 * {@link org.transformer4j.conformance.ConformanceKit} is an ordered catalogue of
 * {@link org.transformer4j.conformance.ConformanceCase}s: {@link org.transformer4j.conformance.ConformanceKit#standard()}
 * has one case per {@link org.transformer4j.nn.Ops} method, {@link org.transformer4j.conformance.ConformanceKit#complete()}
 * adds whole-model logits and loss, the key/value cache, greedy and beam outputs, gradients, an AdamW step,
 * cross-backend checkpoints and bad inputs. A backend that serves exported models rather than running the ops
 * (ONNX) has an engine that is a {@link org.transformer4j.backend.ServingEngine} and an
 * {@link org.transformer4j.backend.ExportingEngine}: the kit exports each case's model with it and runs the export's
 * runtime. Its
 * {@link org.transformer4j.conformance.ConformanceReport} prints as a table or as JSON.
 */
package org.transformer4j.conformance;
