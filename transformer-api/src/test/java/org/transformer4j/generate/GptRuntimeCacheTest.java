package org.transformer4j.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.transformer4j.model.GptModel;
import org.transformer4j.model.NormPlacement;
import org.transformer4j.model.PositionalEncodingType;

/**
 * The cache surgery of {@link GptCache} on hand-written arrays ({@link CacheRows}) and the errors of
 * {@link OpsGptRuntime}'s caches. Whether the surgery keeps every row's logits is checked against full recomputes by
 * the conformance kit's {@code gpt_runtime_rows} cases, on every backend.
 */
class GptRuntimeCacheTest {

    @Test
    void appendPadsTheShorterRowsOnTheLeftWithZeros() {
        // a: 1 row, 2 positions, outer 2, inner 1: [[1, 2], [3, 4]]; b: 1 row, 3 positions: [[5, 6, 7], [8, 9, 10]]
        float[] a = {1, 2, 3, 4};
        float[] b = {5, 6, 7, 8, 9, 10};
        float[] joined = CacheRows.appendPadded(a, 1, 2, b, 1, 3, 2, 1);
        assertArrayEquals(new float[] {0, 1, 2, 0, 3, 4, 5, 6, 7, 8, 9, 10}, joined);
        assertArrayEquals(new float[] {0, 0, 0, 5, 6, 7}, CacheRows.appendPadded(null, 1, 0, new float[] {5, 6, 7}, 1, 3, 1, 1),
                "an empty cache's rows are all padding");
    }

    @Test
    void dropFirstAndSelectAndLastPositions() {
        // 2 rows, 3 positions, inner 2
        float[] x = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
        assertArrayEquals(new float[] {3, 4, 5, 6, 9, 10, 11, 12}, CacheRows.dropFirst(x, 2, 3, 1, 1, 2));
        assertArrayEquals(new float[] {7, 8, 9, 10, 11, 12, 7, 8, 9, 10, 11, 12, 1, 2, 3, 4, 5, 6},
                CacheRows.select(x, 6, new int[] {1, 1, 0}));
        assertArrayEquals(new float[] {5, 6, 11, 12}, CacheRows.lastPositions(x, 2, 3, 2));
    }

    @Test
    void cachesRefuseWhatTheyCannotDo() {
        GptModel model = TinyModels.gpt(11, 16, NormPlacement.PRE, PositionalEncodingType.LEARNED);
        OpsGptRuntime runtime = new OpsGptRuntime(model, TinyModels.OPS, TinyModels.weights(model.parameterSpecs(), 3));
        OpsGptRuntime other = new OpsGptRuntime(model, TinyModels.OPS, TinyModels.weights(model.parameterSpecs(), 4));
        try (GptCache cache = runtime.newCache(2)) {
            runtime.forward(cache, new int[][] {{1, 2}, {3, 4}}, new int[][] {{0, 1}, {0, 1}}, null, true);
            assertEquals(2, cache.length());
            var e = assertThrows(IllegalArgumentException.class, () -> cache.dropFirst(3));
            assertTrue(e.getMessage().contains("[0, 2]"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> cache.selectRows(new int[] {2}));
            assertTrue(e.getMessage().contains("row 2"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> cache.append(other.newCache(1)));
            assertTrue(e.getMessage().contains("newCache"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> runtime.forward(cache, new int[][] {{1}}, new int[][] {{2}}, null, true));
            assertTrue(e.getMessage().contains("2"), e.getMessage());
            cache.dropFirst(2);
            assertEquals(0, cache.length());
            assertEquals(2, cache.rows());
        }
        GptCache closed = runtime.newCache(1);
        closed.close();
        assertThrows(IllegalStateException.class, () -> closed.dropFirst(0));
    }
}
