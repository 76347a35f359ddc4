package org.transformer4j.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.transformer4j.tensor.DType;
import org.transformer4j.tensor.HostTensor;
import org.transformer4j.tensor.Shape;

class BatchSamplerTest {
    private static final int[] TOKENS = new SplittableRandom(7).ints(1000, 0, 65).toArray();

    private static List<Batch> draw(BatchSampler s, int n) {
        List<Batch> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(s.next());
        }
        return out;
    }

    @Test
    void batchesAreWindowsOfTheTokensWithTargetsShiftedByOne() {
        int b = 4;
        int t = 16;
        BatchSampler s = new BatchSampler(TOKENS, b, t, 123);
        for (int k = 0; k < 50; k++) {
            int[] offsets = s.offsets(k);
            Batch batch = s.next();
            HostTensor x = batch.get(BatchSampler.INPUT_IDS);
            HostTensor y = batch.get(BatchSampler.TARGETS);
            assertEquals(Shape.of(b, t), x.shape());
            assertEquals(Shape.of(b, t), y.shape());
            assertEquals(DType.INT32, x.dtype());
            assertEquals(DType.INT32, y.dtype());
            for (int row = 0; row < b; row++) {
                for (int j = 0; j < t; j++) {
                    assertEquals(TOKENS[offsets[row] + j], x.ints()[row * t + j]);
                    assertEquals(TOKENS[offsets[row] + j + 1], y.ints()[row * t + j]);
                }
            }
        }
        assertEquals(50, s.position());
    }

    @Test
    void everyOffsetIsInRangeAndTheExtremesAreReached() {
        // n = 12, T = 3: offsets must lie in [0, 8], and over many draws both ends appear
        int[] tokens = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
        BatchSampler s = new BatchSampler(tokens, 8, 3, 9);
        int[] seen = new int[12];
        for (int k = 0; k < 500; k++) {
            Batch batch = s.next();
            for (int row = 0; row < 8; row++) {
                int first = batch.get(BatchSampler.INPUT_IDS).ints()[row * 3];
                int lastTarget = batch.get(BatchSampler.TARGETS).ints()[row * 3 + 2];
                assertTrue(first >= 0 && first <= 8, "offset " + first);
                assertEquals(first + 3, lastTarget);
                seen[first]++;
            }
        }
        for (int off = 0; off <= 8; off++) {
            // 4000 draws over 9 values: about 444 each; far from 0 for a uniform sampler
            assertTrue(seen[off] > 300 && seen[off] < 600, "offset " + off + " seen " + seen[off] + " times");
        }
        // the smallest possible data: n = T + 1 has the single offset 0
        Batch only = new BatchSampler(new int[] {5, 6, 7}, 2, 2, 1).next();
        assertEquals(List.of(5, 6, 5, 6), toList(only.get(BatchSampler.INPUT_IDS).ints()));
        assertEquals(List.of(6, 7, 6, 7), toList(only.get(BatchSampler.TARGETS).ints()));
    }

    private static List<Integer> toList(int[] a) {
        return java.util.Arrays.stream(a).boxed().toList();
    }

    @Test
    void sameSeedSameBatchesOtherSeedOtherBatches() {
        List<Batch> a = draw(new BatchSampler(TOKENS, 3, 8, 1), 20);
        List<Batch> b = draw(new BatchSampler(TOKENS, 3, 8, 1), 20);
        List<Batch> c = draw(new BatchSampler(TOKENS, 3, 8, 2), 20);
        assertEquals(a, b);
        assertNotEquals(a, c);
        // consecutive batches differ too
        assertNotEquals(a.get(0), a.get(1));
    }

    @Test
    void seekResumesExactly() {
        List<Batch> fresh = draw(new BatchSampler(TOKENS, 3, 8, 77), 30);
        BatchSampler s = new BatchSampler(TOKENS, 3, 8, 77);
        s.seek(17);
        assertEquals(17, s.position());
        assertEquals(fresh.get(17), s.next());
        assertEquals(fresh.get(18), s.next());
        assertEquals(19, s.position());
        s.seek(0);
        assertEquals(fresh.get(0), s.next());
        // a sampler resumed from a saved position continues the same sequence
        BatchSampler first = new BatchSampler(TOKENS, 3, 8, 77);
        draw(first, 11);
        BatchSampler resumed = new BatchSampler(TOKENS, 3, 8, 77);
        resumed.seek(first.position());
        assertEquals(draw(first, 5), draw(resumed, 5));
        assertThrows(IllegalArgumentException.class, () -> s.seek(-1));
    }

    @Test
    void badArgumentsAreRejected() {
        var e1 = assertThrows(IllegalArgumentException.class, () -> new BatchSampler(TOKENS, 0, 8, 1));
        assertTrue(e1.getMessage().contains("batch size"), e1.getMessage());
        var e2 = assertThrows(IllegalArgumentException.class, () -> new BatchSampler(TOKENS, 2, 0, 1));
        assertTrue(e2.getMessage().contains("block size"), e2.getMessage());
        var e3 = assertThrows(IllegalArgumentException.class, () -> new BatchSampler(new int[8], 2, 8, 1));
        assertTrue(e3.getMessage().contains("8 tokens") && e3.getMessage().contains("at least 9"), e3.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new BatchSampler(TOKENS, 2, Integer.MAX_VALUE, 1));
    }
}
