/**
 * Training data: token datasets split into training and validation parts ({@link
 * org.transformer4j.data.TokenDataset}) with seeded, exactly resumable batch sampling for the GPT ({@link
 * org.transformer4j.data.BatchSampler}); tokenized (source, target) pairs ({@link org.transformer4j.data.PairDataset})
 * with padded, masked, exactly resumable encoder-decoder batches ({@link org.transformer4j.data.Seq2SeqBatcher});
 * and the batches themselves ({@link org.transformer4j.data.Batch}).
 */
package org.transformer4j.data;
