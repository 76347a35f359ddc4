package org.transformer4j.cpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.transformer4j.cpu.kernel.Parallelism;
import org.transformer4j.tensor.HostTensor;
import org.transformer4j.tensor.Shape;
import org.transformer4j.tensor.Tensor;

/** {@link CpuOps#appendTime}: in place, the same values and attention as {@link CpuOps#concatTime}. */
class KvCacheAppendTest {
    private final CpuOps ops = new CpuOps(Parallelism.sequential(), null, 0L);
    private final Random rnd = new Random(9);

    private Tensor random(int... dims) {
        Shape s = Shape.of(dims);
        float[] v = new float[s.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) rnd.nextGaussian();
        }
        return ops.constant(HostTensor.ofFloats(s, v));
    }

    @Test
    void appendsEqualConcatenationAndAttentionOverTheViewIsBitIdentical() {
        int b = 3;
        int c = 24;
        int heads = 4;
        Tensor keys = random(b, 5, c);
        Tensor values = random(b, 5, c);
        Tensor denseKeys = keys;
        Tensor denseValues = values;
        for (int step = 0; step < 40; step++) { // past several capacity doublings
            int t = step % 3 == 0 ? 2 : 1;
            Tensor k = random(b, t, c);
            Tensor v = random(b, t, c);
            keys = ops.appendTime(keys, k);
            values = ops.appendTime(values, v);
            denseKeys = ops.concatTime(denseKeys, k);
            denseValues = ops.concatTime(denseValues, v);
            assertThat(keys.shape()).isEqualTo(denseKeys.shape());
            assertArrayEquals(denseKeys.toFloatArray(), keys.toFloatArray(), "keys after step " + step);
            assertArrayEquals(denseValues.toFloatArray(), values.toFloatArray(), "values after step " + step);
            Tensor q = random(b, t, c);
            int tk = keys.shape().dim(1);
            int[] mask = new int[b * tk];
            for (int i = 0; i < mask.length; i++) {
                mask[i] = i % 7 == 3 ? 0 : 1;
            }
            Tensor m = ops.constant(HostTensor.ofInts(Shape.of(b, tk), mask));
            assertArrayEquals(ops.attention(q, denseKeys, denseValues, heads, true, m).toFloatArray(),
                    ops.attention(q, keys, values, heads, true, m).toFloatArray(), "attention after step " + step);
            Tensor q4 = random(b, t, 2 * c); // 4 query heads of 12 over 2 key/value heads of 12
            assertArrayEquals(ops.attention(q4, denseKeys, denseValues, 4, 2, true, null).toFloatArray(),
                    ops.attention(q4, keys, values, 4, 2, true, null).toFloatArray(), "grouped attention, step " + step);
        }
        assertThat(((CpuTensor) keys).time).as("the cache is a view of its buffer").isNotNull();
    }

    @Test
    void appendingToAnOlderViewLeavesTheNewerOneIntact() {
        Tensor base = ops.appendTime(random(2, 3, 8), random(2, 1, 8)); // a view with spare room
        Tensor first = random(2, 2, 8);
        Tensor second = random(2, 1, 8);
        Tensor a = ops.appendTime(base, first);
        Tensor b = ops.appendTime(base, second); // base is older than a now: must not overwrite a's positions
        assertArrayEquals(ops.concatTime(ops.constant(HostTensor.ofFloats(base.shape(), base.toFloatArray())), first)
                .toFloatArray(), a.toFloatArray());
        assertArrayEquals(ops.concatTime(ops.constant(HostTensor.ofFloats(base.shape(), base.toFloatArray())), second)
                .toFloatArray(), b.toFloatArray());
    }

    @Test
    void otherOpsReadAViewAsItsValues() {
        Tensor view = ops.appendTime(random(2, 3, 8), random(2, 1, 8));
        Tensor dense = ops.constant(HostTensor.ofFloats(view.shape(), view.toFloatArray()));
        assertArrayEquals(ops.scale(dense, 2f).toFloatArray(), ops.scale(view, 2f).toFloatArray());
        assertArrayEquals(ops.concatTime(dense, dense).toFloatArray(), ops.concatTime(view, view).toFloatArray());
    }
}
