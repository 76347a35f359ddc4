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
import org.transformer4j.tensor.HostTensor;
import org.transformer4j.tensor.Shape;
import org.transformer4j.tensor.Tensor;

/**
 * Attention dropout in the TensorFlow graph against backend-cpu's kernel, with the same dropout factors forced on
 * both (so the random draws, which differ by design, are out of the comparison): outputs and the gradients of q, k, v;
 * and the training graph's own stateless masks, seen through the output: kept fraction, scale, sites, p = 0.
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

    /**
     * The training graph's attention dropout, through {@link TfGraphOps} as the models call it: with q = 0 each key
     * gets probability 1/tk, and one-hot values ({@code v_j} = e_j in each head) make the output show every weight's
     * factor {@code out_ij · tk}. Each factor must be 0 or 1/(1-p), and the kept fraction 1-p within 6 binomial sigmas;
     * two sites draw different masks; p = 0 and an evaluation graph give plain attention.
     */
    @Test
    void trainingGraphDropsAFractionPOfTheAttentionWeights() {
        int b = 8;
        int t = 64;
        int heads = 2;
        int c = heads * t;
        float p = 0.3f;
        float[] v = new float[b * t * c];
        for (int bi = 0; bi < b; bi++) {
            for (int j = 0; j < t; j++) {
                for (int h = 0; h < heads; h++) {
                    v[(bi * t + j) * c + h * t + j] = 1f;
                }
            }
        }
        float[] k = random(new Random(9), b * t * c);
        try (Graph g = new Graph(); Session s = new Session(g)) {
            Ops tf = Ops.create(g);
            TfGraphOps training = new TfGraphOps(tf, true, tf.constant(new long[] {17L, 4L}));
            TfGraphOps evaluation = new TfGraphOps(tf, false, null);
            Tensor[] qkv = new org.transformer4j.tensor.Tensor[3];
            Shape shape = Shape.of(b, t, c);
            float[][] values = {new float[b * t * c], k, v};
            for (int i = 0; i < 3; i++) {
                qkv[i] = training.constant(HostTensor.ofFloats(shape, values[i]));
            }
            Operand<?> site1 = ((TfSymbol) training.attention(qkv[0], qkv[1], qkv[2], heads, false, null, p)).operand();
            Operand<?> site2 = ((TfSymbol) training.attention(qkv[0], qkv[1], qkv[2], heads, false, null, p)).operand();
            Operand<?> noDrop = ((TfSymbol) training.attention(qkv[0], qkv[1], qkv[2], heads, false, null, 0f)).operand();
            Operand<?> eval = ((TfSymbol) evaluation.attention(qkv[0], qkv[1], qkv[2], heads, false, null, p)).operand();
            try (Result res = s.runner().fetch(site1).fetch(site2).fetch(noDrop).fetch(eval).run()) {
                float[] a = TfTensors.floats((TFloat32) res.get(0));
                float[] a2 = TfTensors.floats((TFloat32) res.get(1));
                long kept = 0;
                long differ = 0;
                for (int i = 0; i < a.length; i++) {
                    if (a[i] != 0f) {
                        kept++;
                        assertEquals(1.0 / (1.0 - p), a[i] * (double) t, 1e-5, "kept weight " + i + " scaled by 1/(1-p)");
                    }
                    differ += (a[i] == 0f) != (a2[i] == 0f) ? 1 : 0;
                }
                long n = a.length;
                assertEquals(1 - p, (double) kept / n, 6 * Math.sqrt(p * (1 - p) / n), "kept fraction of " + n);
                // independent masks disagree on a fraction 2p(1-p) = 0.42 of the weights
                assertTrue(differ > n / 4, "two attention sites must draw different masks, differ in " + differ);
                for (int which = 2; which <= 3; which++) {
                    float[] plain = TfTensors.floats((TFloat32) res.get(which));
                    for (int i = 0; i < plain.length; i++) {
                        assertEquals(1f / t, plain[i], 1e-6f, (which == 2 ? "p = 0" : "evaluation") + " at " + i);
                    }
                }
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
