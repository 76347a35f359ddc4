package org.transformer4j.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.transformer4j.tensor.DType;
import org.transformer4j.tensor.HostTensor;
import org.transformer4j.tensor.Shape;
import org.transformer4j.tensor.ShapeMismatchException;
import org.transformer4j.tensor.Tensor;

/** ReferenceOps on cases small enough to compute by hand. */
class ReferenceOpsTest {
    private static final float EPS = 1e-6f;
    private final ReferenceOps ops = new ReferenceOps();

    private Tensor f(float[] v, int... dims) {
        return ops.constant(HostTensor.ofFloats(Shape.of(dims), v));
    }

    private Tensor i(int[] v, int... dims) {
        return ops.constant(HostTensor.ofInts(Shape.of(dims), v));
    }

    @Test
    void layerNormOfOneTwoThree() {
        // mean 2, biased variance 2/3: (x - 2) / sqrt(2/3) = -sqrt(3/2), 0, sqrt(3/2)
        double s = Math.sqrt(1.5);
        Tensor y = ops.layerNorm(f(new float[] {1, 2, 3}, 1, 3), f(new float[] {1, 1, 1}, 3), null, 0f);
        assertArrayEquals(new float[] {(float) -s, 0f, (float) s}, y.toFloatArray(), EPS);
        assertEquals(Shape.of(1, 3), y.shape());
        Tensor affine = ops.layerNorm(f(new float[] {1, 2, 3}, 3), f(new float[] {2, 1, 0.5f}, 3),
                f(new float[] {0.1f, 0.2f, 0.3f}, 3), 0f);
        assertArrayEquals(new float[] {(float) (-2 * s + 0.1), 0.2f, (float) (0.5 * s + 0.3)},
                affine.toFloatArray(), EPS);
        // eps = 1: 1 / sqrt(2/3 + 1) = sqrt(3/5)
        Tensor withEps = ops.layerNorm(f(new float[] {1, 2, 3}, 3), f(new float[] {1, 1, 1}, 3), null, 1f);
        double r = Math.sqrt(0.6);
        assertArrayEquals(new float[] {(float) -r, 0f, (float) r}, withEps.toFloatArray(), EPS);
    }

    @Test
    void layerNormNormalizesEachRowSeparately() {
        // second row [10, 10, 13]: mean 11, variance 2 -> (-1, -1, 2) / sqrt(2)
        Tensor y = ops.layerNorm(f(new float[] {1, 2, 3, 10, 10, 13}, 2, 3), f(new float[] {1, 1, 1}, 3), null, 0f);
        double s = Math.sqrt(2);
        assertArrayEquals(new float[] {(float) (-1 / s), (float) (-1 / s), (float) (2 / s)},
                java.util.Arrays.copyOfRange(y.toFloatArray(), 3, 6), EPS);
    }

    @Test
    void embeddingLooksUpRowsAndNamesABadId() {
        Tensor table = f(new float[] {0, 1, 10, 11, 20, 21}, 3, 2);
        Tensor y = ops.embedding(table, i(new int[] {2, 0, 1, 1}, 2, 2));
        assertEquals(Shape.of(2, 2, 2), y.shape());
        assertArrayEquals(new float[] {20, 21, 0, 1, 10, 11, 10, 11}, y.toFloatArray());
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
                () -> ops.embedding(table, i(new int[] {0, 3}, 1, 2)));
        assertTrue(ex.getMessage().contains("id 3") && ex.getMessage().contains("[0, 1]")
                && ex.getMessage().contains("vocab size 3"), ex.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ops.embedding(table, i(new int[] {-1}, 1, 1)));
        // position ids of shape [T] give [T, C]
        Tensor positions = ops.embedding(table, i(new int[] {1, 2, 0}, 3));
        assertEquals(Shape.of(3, 2), positions.shape());
        assertArrayEquals(new float[] {10, 11, 20, 21, 0, 1}, positions.toFloatArray());
        Tensor fromLongs = ops.embedding(table, ops.constant(HostTensor.ofLongs(Shape.of(1, 1), new long[] {1})));
        assertArrayEquals(new float[] {10, 11}, fromLongs.toFloatArray());
    }

    @Test
    void linearWithAndWithoutBias() {
        Tensor x = f(new float[] {1, 2, -1, 3}, 2, 2);
        Tensor w = f(new float[] {1, 0, 0, 1, 1, 1}, 3, 2); // [out=3, in=2]
        assertArrayEquals(new float[] {1, 2, 3, -1, 3, 2}, ops.linear(x, w, null).toFloatArray());
        Tensor y = ops.linear(x, w, f(new float[] {0.5f, 0, -1}, 3));
        assertArrayEquals(new float[] {1.5f, 2, 2, -0.5f, 3, 1}, y.toFloatArray());
        assertEquals(Shape.of(2, 3), y.shape());
        ShapeMismatchException ex = assertThrows(ShapeMismatchException.class,
                () -> ops.linear(f(new float[3], 1, 3), w, null));
        assertTrue(ex.getMessage().contains("linear") && ex.getMessage().contains("[1, 3]")
                && ex.getMessage().contains("[3, 2]"), ex.getMessage());
    }

    @Test
    void addSameShapeAndBroadcast() {
        Tensor a = f(new float[] {1, 2, 3, 4}, 2, 2);
        assertArrayEquals(new float[] {11, 22, 33, 44}, ops.add(a, f(new float[] {10, 20, 30, 40}, 2, 2))
                .toFloatArray());
        assertArrayEquals(new float[] {11, 22, 13, 24}, ops.add(a, f(new float[] {10, 20}, 2)).toFloatArray());
        ShapeMismatchException ex = assertThrows(ShapeMismatchException.class,
                () -> ops.add(a, f(new float[3], 3)));
        assertTrue(ex.getMessage().contains("add") && ex.getMessage().contains("[3]")
                && ex.getMessage().contains("[2, 2]"), ex.getMessage());
    }

    @Test
    void elementwiseOps() {
        Tensor x = f(new float[] {-1, 0, 1}, 3);
        assertArrayEquals(new float[] {-2.5f, 0, 2.5f}, ops.scale(x, 2.5f).toFloatArray());
        assertArrayEquals(new float[] {0, 0, 1}, ops.relu(x).toFloatArray());
        // gelu(x) = x * Phi(x); Phi(1) = 0.8413447460685429 from the standard normal table
        assertArrayEquals(new float[] {-0.15865525f, 0, 0.84134475f}, ops.gelu(x).toFloatArray(), 1e-7f);
        assertFalse(ops.training());
        assertArrayEquals(x.toFloatArray(), ops.dropout(x, 0.5f).toFloatArray());
        assertThrows(IllegalArgumentException.class, () -> ops.dropout(x, 1f));
    }

    @Test
    void splitAndConcatTime() {
        Tensor x = f(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, 2, 6);
        Tensor[] parts = ops.split(x, 3);
        assertEquals(3, parts.length);
        assertEquals(Shape.of(2, 2), parts[1].shape());
        assertArrayEquals(new float[] {3, 4, 9, 10}, parts[1].toFloatArray());
        assertThrows(ShapeMismatchException.class, () -> ops.split(x, 4));

        Tensor a = f(new float[] {1, 2, 3, 4}, 2, 1, 2);       // B=2, T=1, C=2
        Tensor b = f(new float[] {5, 6, 7, 8, 9, 10, 11, 12}, 2, 2, 2);
        Tensor c = ops.concatTime(a, b);
        assertEquals(Shape.of(2, 3, 2), c.shape());
        assertArrayEquals(new float[] {1, 2, 5, 6, 7, 8, 3, 4, 9, 10, 11, 12}, c.toFloatArray());
        Tensor ids = ops.concatTime(i(new int[] {1, 2}, 2, 1), i(new int[] {3, 4}, 2, 1));
        assertEquals(DType.INT32, ids.dtype());
        assertArrayEquals(new int[] {1, 3, 2, 4}, ids.toIntArray());
        assertThrows(ShapeMismatchException.class, () -> ops.concatTime(a, f(new float[6], 2, 1, 3)));
    }

    // Attention, one head, C = 2, q = k = identity rows, v = [[1, 2], [3, 4]]:
    // the query matching key j scores 1/sqrt(2) there and 0 elsewhere, so it weighs key j with
    // p = e^(1/sqrt 2) / (e^(1/sqrt 2) + 1) and the other with 1 - p.
    private static final double P = Math.exp(1 / Math.sqrt(2)) / (Math.exp(1 / Math.sqrt(2)) + 1);
    private final float[] eye = {1, 0, 0, 1};
    private final float[] values = {1, 2, 3, 4};

    @Test
    void attentionTwoByTwoByHand() {
        Tensor y = ops.attention(f(eye, 1, 2, 2), f(eye, 1, 2, 2), f(values, 1, 2, 2), 1, false, null);
        float[] expected = {
            (float) (P * 1 + (1 - P) * 3), (float) (P * 2 + (1 - P) * 4),
            (float) ((1 - P) * 1 + P * 3), (float) ((1 - P) * 2 + P * 4)};
        assertArrayEquals(expected, y.toFloatArray(), EPS);
    }

    @Test
    void causalAttentionHidesLaterKeys() {
        Tensor y = ops.attention(f(eye, 1, 2, 2), f(eye, 1, 2, 2), f(values, 1, 2, 2), 1, true, null);
        // query 0 sees only key 0; query 1 sees both
        float[] expected = {1, 2, (float) ((1 - P) * 1 + P * 3), (float) ((1 - P) * 2 + P * 4)};
        assertArrayEquals(expected, y.toFloatArray(), EPS);
    }

    @Test
    void causalQueriesSitAtTheEndOfTheKeys() {
        // Tq = 1, Tk = 2: the single query is at absolute position 1 and sees both keys.
        Tensor y = ops.attention(f(new float[] {0, 1}, 1, 1, 2), f(eye, 1, 2, 2), f(values, 1, 2, 2), 1, true,
                null);
        assertArrayEquals(new float[] {(float) ((1 - P) * 1 + P * 3), (float) ((1 - P) * 2 + P * 4)},
                y.toFloatArray(), EPS);
        // Tq = 2 > Tk = 1: query 0 sits at position -1 and sees no key, so its row is zeros.
        Tensor early = ops.attention(f(eye, 1, 2, 2), f(new float[] {1, 0}, 1, 1, 2), f(new float[] {5, 6}, 1, 1, 2),
                1, true, null);
        assertArrayEquals(new float[] {0, 0, 5, 6}, early.toFloatArray(), EPS);
    }

    @Test
    void keyMaskHidesPaddingAndAllMaskedRowsAreZero() {
        Tensor y = ops.attention(f(eye, 1, 2, 2), f(eye, 1, 2, 2), f(values, 1, 2, 2), 1, false,
                i(new int[] {1, 0}, 1, 2));
        assertArrayEquals(new float[] {1, 2, 1, 2}, y.toFloatArray(), EPS);
        Tensor none = ops.attention(f(eye, 1, 2, 2), f(eye, 1, 2, 2), f(values, 1, 2, 2), 1, false,
                i(new int[] {0, 0}, 1, 2));
        assertArrayEquals(new float[] {0, 0, 0, 0}, none.toFloatArray());
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> ops.attention(
                f(eye, 1, 2, 2), f(eye, 1, 2, 2), f(values, 1, 2, 2), 1, false, i(new int[] {1, 2}, 1, 2)));
        assertTrue(bad.getMessage().contains("keyMask value 2"), bad.getMessage());
    }

    @Test
    void headsUseContiguousSlicesOfChannels() {
        // Two heads over C = 4: head 0 is the 2x2 case above on channels 0-1, head 1 on channels 2-3 uses
        // keys swapped, so each query weighs the OTHER value row with p.
        float[] q = {1, 0, 1, 0, 0, 1, 0, 1};
        float[] k = {1, 0, 0, 1, 0, 1, 1, 0};
        float[] v = {1, 2, 10, 20, 3, 4, 30, 40};
        Tensor y = ops.attention(f(q, 1, 2, 4), f(k, 1, 2, 4), f(v, 1, 2, 4), 2, false, null);
        float[] expected = {
            (float) (P * 1 + (1 - P) * 3), (float) (P * 2 + (1 - P) * 4),
            (float) ((1 - P) * 10 + P * 30), (float) ((1 - P) * 20 + P * 40),
            (float) ((1 - P) * 1 + P * 3), (float) ((1 - P) * 2 + P * 4),
            (float) (P * 10 + (1 - P) * 30), (float) (P * 20 + (1 - P) * 40)};
        assertArrayEquals(expected, y.toFloatArray(), 1e-5f);
        ShapeMismatchException ex = assertThrows(ShapeMismatchException.class,
                () -> ops.attention(f(q, 1, 2, 4), f(k, 1, 2, 4), f(v, 1, 2, 4), 3, false, null));
        assertTrue(ex.getMessage().contains("attention") && ex.getMessage().contains("heads 3")
                && ex.getMessage().contains("[1, 2, 4]"), ex.getMessage());
    }

    @Test
    void crossEntropyIsMeanNegativeLogSoftmax() {
        // row 0 logits [1, 2, 3], target 2: log(e + e^2 + e^3) - 3
        // row 1 logits [0, 0, 0], target 0: log 3
        // row 2 ignored
        double l0 = Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3)) - 3;
        double l1 = Math.log(3);
        Tensor logits = f(new float[] {1, 2, 3, 0, 0, 0, 5, -5, 7}, 1, 3, 3);
        Tensor loss = ops.crossEntropy(logits, i(new int[] {2, 0, -100}, 1, 3), -100);
        assertEquals(Shape.scalar(), loss.shape());
        assertEquals((l0 + l1) / 2, loss.item(), 1e-6);
        assertEquals(0f, ops.crossEntropy(logits, i(new int[] {-1, -1, -1}, 1, 3), -1).item());
        // large logits stay finite (log-sum-exp): logits [1000, 0], target 1 -> 1000
        assertEquals(1000f, ops.crossEntropy(f(new float[] {1000, 0}, 1, 1, 2), i(new int[] {1}, 1, 1), -100)
                .item(), 1e-3f);
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
                () -> ops.crossEntropy(logits, i(new int[] {2, 3, 0}, 1, 3), -100));
        assertTrue(ex.getMessage().contains("target 3") && ex.getMessage().contains("[0, 1]")
                && ex.getMessage().contains("vocab size 3"), ex.getMessage());
    }

    @Test
    void referenceEngineLoadsWeightsAndRefusesTraining() {
        try (var engine = new ReferenceBackend().open(org.transformer4j.backend.EngineOptions.defaults())) {
            assertEquals("reference", engine.backendName());
            var weights = engine.load(java.util.Map.of("w", HostTensor.ofFloats(Shape.of(2), new float[] {1, 2})));
            assertArrayEquals(new float[] {1, 2}, weights.get("w").toFloatArray());
            IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> weights.get("x"));
            assertTrue(missing.getMessage().contains("'x'"), missing.getMessage());
            assertTrue(engine.capability(org.transformer4j.backend.TrainingEngine.class).isEmpty(),
                    "the scalar reference does not train, so it is no TrainingEngine");
        }
    }
}
