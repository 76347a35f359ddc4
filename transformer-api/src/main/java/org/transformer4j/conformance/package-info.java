/**
 * The cross-backend conformance kit: runs the same cases on a reference engine and a candidate engine and
 * compares the numbers under documented {@link org.transformer4j.conformance.Tolerance}s. A
 * {@link org.transformer4j.conformance.ConformanceKit} is an ordered catalogue of
 * {@link org.transformer4j.conformance.ConformanceCase}s (one per {@link org.transformer4j.nn.Ops} method today;
 * whole-model logits, loss, gradients and optimizer steps are added as further cases), and its
 * {@link org.transformer4j.conformance.ConformanceReport} prints as a table or as JSON.
 */
package org.transformer4j.conformance;
