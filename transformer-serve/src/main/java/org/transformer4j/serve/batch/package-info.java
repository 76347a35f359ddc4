/**
 * Continuous batching for a server: {@link org.transformer4j.serve.batch.ContinuousBatcher} decodes every running
 * request as one batch over a {@link org.transformer4j.generate.GptRuntime}, letting requests join and leave at every
 * step, with a bounded waiting queue, per-sequence deadlines and cancellation.
 */
package org.transformer4j.serve.batch;
