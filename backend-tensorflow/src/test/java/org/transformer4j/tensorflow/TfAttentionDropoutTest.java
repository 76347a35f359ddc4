package org.transformer4j.tensorflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.transformer4j.cpu.kernel.AttentionKernel;
import org.transformer4j.cpu.kernel.DropoutFactors;
import org.transformer4j.cpu.kernel.Parallelism;

/**
 * Attention dropout in the TensorFlow graph against backend-cpu's kernel, with the same dropout factors forced on
 * both (so the random draws, which differ by design, are out of the comparison): outputs and the gradients of q, k, v.
 */
class TfAttentionDropoutTest {

    private static final int B = 2;
    private static final int TQ = 5;
    private static final int TK = 5;
    private static final int C = 8;
    private static final int HEADS = 2;

    @Test
    void forcedDropoutFactorsGiveTheCpuKernelsOutputAndGradients() {
        Random rnd = new Random(5);
        float[] q = random(rnd, B * TQ * C);
        float[] k = random(rnd, B * TK * C);
        float[] v = random(rnd, B * TK * C);
        float[] r = random(rnd, B * TQ * C);
        int[] mask = {1, 1, 1, 1, 1, 0, 1, 1, 1, 1};
        float p = 0.3f;
        float[] drop = new float[B * HEADS * TQ * TK];
        int dropped = 0;
        for (int i = 0; i < drop.length; i++) {
            drop[i] = rnd.nextFloat() < p ? 0f : 1f / (1f - p);
            dropped += drop[i] == 0f ? 1 : 0;
        }
        assertTrue(dropped > 0, "the test needs dropped weights");

        float[] out = new float[q.length];
        float[] probs = new float[drop.length];
        AttentionKernel.forward(Parallelism.sequential(), q, k, v, B, TQ, TK, C, HEADS, true, mask, out, probs, DropoutFactors.of(drop));
        float[] dq = new float[q.length];
        float[] dk = new float[k.length];
        float[] dv = new float[v.length];
        AttentionKernel.backward(Parallelism.sequential(), r, q, k, v, probs, B, TQ, TK, C, HEADS, true, mask, dq, dk, dv,
                DropoutFactors.of(drop));

        try (Graph g = new Graph(); Session s = new Session(g)) {
            Ops tf = Ops.create(g);
            Operand<TFloat32> qo = constant(tf, q, B, TQ, C);
            Operand<TFloat32> ko = constant(tf, k, B, TK, C);
            Operand<TFloat32> vo = constant(tf, v, B, TK, C);
            Operand<TFloat32> dropo = constant(tf, drop, B, HEADS, TQ, TK);
            Operand<TInt32> masko = tf.constant(org.tensorflow.ndarray.Shape.of(B, TK), DataBuffers.of(mask, true, false));
            Operand<TFloat32> y = TfLayers.attention(tf, qo, ko, vo, C, HEADS, true, masko,
                    probsIn -> tf.math.mul(probsIn, dropo));
            Operand<TFloat32> loss = tf.reduceSum(tf.math.mul(y, constant(tf, r, B, TQ, C)), tf.constant(new int[] {0, 1, 2}));
            Output<?>[] grads = g.addGradients(loss.asOutput(), new Output<?>[] {qo.asOutput(), ko.asOutput(), vo.asOutput()});
            try (Result res = s.runner().fetch(y).fetch(grads[0]).fetch(grads[1]).fetch(grads[2]).run()) {
                assertClose("out", out, TfTensors.floats((TFloat32) res.get(0)));
                assertClose("dq", dq, TfTensors.floats((TFloat32) res.get(1)));
                assertClose("dk", dk, TfTensors.floats((TFloat32) res.get(2)));
                assertClose("dv", dv, TfTensors.floats((TFloat32) res.get(3)));
            }
        }
    }

    private static Operand<TFloat32> constant(Ops tf, float[] values, long... dims) {
        return tf.constant(org.tensorflow.ndarray.Shape.of(dims), DataBuffers.of(values, true, false));
    }

    private static float[] random(Random rnd, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (rnd.nextGaussian());
        }
        return a;
    }

    private static void assertClose(String what, float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 1e-5 + 1e-4 * Math.abs(expected[i]), what + " at " + i);
        }
    }
}
