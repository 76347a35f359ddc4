/**
 * The compute-backend service-provider interface ({@link org.transformer4j.backend.Backend},
 * {@link org.transformer4j.backend.Engine}) and backend discovery and selection:
 * {@link org.transformer4j.backend.Backends} finds the backends on the classpath with the
 * {@link java.util.ServiceLoader}, lists them with their availability, and picks one by name (code, system
 * property, environment variable, {@code transformer4j.properties}) or by priority, failing with a
 * {@link org.transformer4j.backend.BackendNotFoundException} that lists every backend found and why.
 */
package org.transformer4j.backend;
