/**
 * Training data: token datasets split into training and validation parts ({@link
 * org.transformer4j.data.TokenDataset}), seeded, exactly resumable batch sampling ({@link
 * org.transformer4j.data.BatchSampler}), and the batches themselves ({@link org.transformer4j.data.Batch}).
 */
package org.transformer4j.data;
