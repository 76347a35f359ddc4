package org.transformer4j.generate;

import org.transformer4j.model.GptModel;
import org.transformer4j.model.KvCache;
import org.transformer4j.nn.Ops;
import org.transformer4j.nn.Parameters;
import org.transformer4j.tensor.HostTensor;
import org.transformer4j.tensor.Shape;
import org.transformer4j.tensor.Tensor;

/** The {@link BatchDecoder} of {@link GptGenerator}: the model's composition on inference {@link Ops}. */
final class OpsBatchDecoder implements BatchDecoder {
    private final GptModel model;
    private final Ops ops;
    private final Parameters weights;
    private KvCache cache;

    OpsBatchDecoder(GptModel model, Ops ops, Parameters weights) {
        this.model = model;
        this.ops = ops;
        this.weights = weights;
    }

    @Override
    public float[] restart(int[][] ids, int[][] positions, int[][] mask) {
        close();
        cache = model.newCache();
        return forward(ids, positions, mask);
    }

    @Override
    public float[] step(int[] ids, int[] positions, int[][] mask) {
        int[][] idRows = new int[ids.length][];
        int[][] posRows = new int[ids.length][];
        for (int i = 0; i < ids.length; i++) {
            idRows[i] = new int[] {ids[i]};
            posRows[i] = new int[] {positions[i]};
        }
        return forward(idRows, posRows, mask);
    }

    private float[] forward(int[][] ids, int[][] positions, int[][] mask) {
        Tensor keyMask = mask == null ? null : ops.constant(matrix(mask));
        try (Tensor in = ops.constant(matrix(ids));
             Tensor pos = ops.constant(matrix(positions));
             Tensor logits = model.logits(ops, weights, in, pos, cache, keyMask)) {
            return logits.toFloatArray();
        } finally {
            if (keyMask != null) {
                keyMask.close();
            }
        }
    }

    private static HostTensor matrix(int[][] rows) {
        int columns = rows[0].length;
        int[] flat = new int[rows.length * columns];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(rows[i], 0, flat, i * columns, columns);
        }
        return HostTensor.ofInts(Shape.of(rows.length, columns), flat);
    }

    @Override
    public void selectRows(int[] rows) {
        cache.selectRows(ops, rows);
    }

    @Override
    public void close() {
        if (cache != null) {
            cache.close();
            cache = null;
        }
    }
}
