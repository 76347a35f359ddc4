package org.transformer4j.onnx;

import org.transformer4j.generate.BatchDecoder;

/**
 * The {@link BatchDecoder} of {@link OnnxGptGenerator}: runs {@code model.onnx} with per-row {@code position_ids}
 * and the padding {@code attention_mask} against an {@link OnnxKvCache}, so batched generation of prompts of
 * different lengths is the API's own loop ({@link org.transformer4j.generate.GptBatchRun}).
 */
final class OnnxBatchDecoder implements BatchDecoder {
    private final OnnxModel model;
    private OnnxKvCache cache;

    OnnxBatchDecoder(OnnxModel model) {
        this.model = model;
    }

    @Override
    public float[] restart(int[][] ids, int[][] positions, int[][] mask) {
        close();
        cache = model.newCache(ids.length);
        return model.step(ids, positions, mask, cache).floats();
    }

    @Override
    public float[] step(int[] ids, int[] positions, int[][] mask) {
        int[][] idRows = new int[ids.length][];
        int[][] posRows = new int[ids.length][];
        for (int i = 0; i < ids.length; i++) {
            idRows[i] = new int[] {ids[i]};
            posRows[i] = new int[] {positions[i]};
        }
        return model.step(idRows, posRows, mask, cache).floats();
    }

    @Override
    public void selectRows(int[] rows) {
        cache.selectRows(rows);
    }

    @Override
    public void close() {
        if (cache != null) {
            cache.close();
            cache = null;
        }
    }
}
