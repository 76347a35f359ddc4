package org.transformer4j.spark;

import org.transformer4j.data.BatchSampler;
import org.transformer4j.data.TokenDataset;
import org.transformer4j.tokenizer.CharTokenizer;
import org.transformer4j.train.TrainingData;

/**
 * One replica's batches: its shard of the text, split as nanoGPT splits a text (the first 90% trains, the rest
 * validates), sampled with the replica's own seeds, {@code globalBatch / workers} sequences at a time. Rank r's
 * streams are seeded {@code seed + 1_000_003 * r} (+1, +2 for the loss estimates), so the union of the replicas'
 * micro-batches is the global batch.
 */
final class ReplicaData {
    private ReplicaData() {
    }

    static TrainingData of(String shard, CharTokenizer tokenizer, int rank, int perReplicaBatch, int blockSize, long seed) {
        TokenDataset dataset = TokenDataset.fromText(shard, tokenizer, 0.9);
        long s = seed + 1_000_003L * rank;
        String what = "shard " + rank + " of the text";
        return new TrainingData(
                new BatchSampler(what + " (training split)", dataset.train(), perReplicaBatch, blockSize, s),
                new BatchSampler(what + " (training split)", dataset.train(), perReplicaBatch, blockSize, s + 1),
                new BatchSampler(what + " (validation split)", dataset.validation(), perReplicaBatch, blockSize, s + 2));
    }
}
