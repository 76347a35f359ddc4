/**
 * Test helpers shared with the backend modules through transformer-api's test-jar: a scalar reference
 * backend ({@link org.transformer4j.testing.ReferenceBackend}, {@link org.transformer4j.testing.ReferenceOps})
 * written as plain loops accumulating in double, an accurate {@link org.transformer4j.testing.Erf}, and
 * {@link org.transformer4j.testing.GradientCheck} for finite-difference checks of backward passes. Nothing here
 * is registered with the {@link java.util.ServiceLoader}: tests construct these classes directly.
 */
package org.transformer4j.testing;
