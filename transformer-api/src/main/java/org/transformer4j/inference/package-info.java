/**
 * The front door for inference: {@link org.transformer4j.inference.LanguageModel} opens a model directory or an
 * exported one on the backend the selection rules pick, and generates text or tokens (streaming, batches, beam search)
 * with either architecture.
 */
package org.transformer4j.inference;
