/**
 * Test helpers shared with the backend modules through transformer-api's test-jar: a scalar reference
 * backend ({@link org.transformer4j.testing.ReferenceBackend}, {@link org.transformer4j.testing.ReferenceOps})
 * written as plain loops accumulating in double, and an accurate {@link org.transformer4j.testing.Erf}
 * (finite-difference gradient checks are {@code org.transformer4j.conformance.GradientCheck}, in
 * transformer-conformance). Nothing here
 * is registered with the {@link java.util.ServiceLoader}: tests construct these classes directly.
 */
package org.transformer4j.testing;
