/**
 * {@code transformer4j serve}: an OpenAI-compatible HTTP server ({@link org.transformer4j.serve.OpenAiServer}) over
 * any inference backend's {@link org.transformer4j.generate.GptRuntime}, with continuous batching
 * ({@code org.transformer4j.serve.batch}), chat templates ({@link org.transformer4j.serve.ChatTemplate}), bounded
 * queueing with 429, per-request timeouts, Prometheus metrics and graceful shutdown.
 */
package org.transformer4j.serve;
