package org.transformer4j.generate;

import org.transformer4j.model.ModelConfig;

/**
 * A runtime whose logits stop at a smaller vocabulary than its model's (see
 * {@link GptRuntime#limitVocabulary}): each row of the model's logits cut to its first {@code ids} entries, so
 * that no loop on top can choose an id beyond them.
 */
record VocabularyLimit(GptRuntime runtime, int ids) implements GptRuntime {
    @Override
    public ModelConfig config() {
        return runtime.config();
    }

    @Override
    public int vocabSize() {
        return ids;
    }

    @Override
    public int contextLength() {
        return runtime.contextLength();
    }

    @Override
    public GptCache newCache(int rows) {
        return runtime.newCache(rows);
    }

    @Override
    public float[] forward(GptCache cache, int[][] ids, int[][] positions, int[][] mask, boolean lastOnly) {
        float[] full = runtime.forward(cache, ids, positions, mask, lastOnly);
        int vocab = runtime.vocabSize();
        int rows = full.length / vocab;
        float[] out = new float[rows * this.ids];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(full, r * vocab, out, r * this.ids, this.ids);
        }
        return out;
    }
}
