package org.transformer4j.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.transformer4j.conformance.GradientCheck;
import org.transformer4j.conformance.Tolerance;
import org.transformer4j.cpu.kernel.Parallelism;
import org.transformer4j.model.GptModel;
import org.transformer4j.nn.Ops;
import org.transformer4j.tensor.HostTensor;
import org.transformer4j.tensor.Shape;
import org.transformer4j.tensor.Tensor;
import org.transformer4j.testing.ReferenceOps;

/**
 * Every {@link Ops} method of {@link CpuOps} in training mode: the gradients its recorded backward adds into the
 * inputs, for the scalar projection loss {@code L = Σ out · r} (r random and fixed), against central finite
 * differences of L computed with the independent scalar {@link ReferenceOps} forward (accumulated in double).
 *
 * <p>Criterion: {@code |g - fd| <= 1e-4 + 1e-2·|fd|} with a step of 1e-2. The reference rounds each output to
 * float32, which puts about {@code 6e-8·sqrt(N)/(2·1e-2)} (a few 1e-6 here) of noise on the quotient, and the
 * truncation error of central differences is {@code h²/6·|L'''|}, about 2e-5; a wrong backward (a missing term,
 * a wrong index, a transposed weight) is off by O(1) relative. Sizes are odd and small so that the vector loops'
 * tails run and the check takes milliseconds.
 */
class CpuOpsGradientTest {
    private static final double STEP = 1e-2;
    private static final Tolerance GRAD = new Tolerance(1e-4, 1e-2,
            "central differences of a float32 forward (step 1e-2) against a float32 backward");
    private static final Parallelism TWO = Parallelism.of(2);

    @AfterAll
    static void closePool() {
        TWO.close();
    }

    /** A layer under test: inputs to outputs, written once against {@link Ops}. */
    @FunctionalInterface
    interface Layer {
        Tensor[] apply(Ops ops, Tensor[] inputs);
    }

    /** One input of a layer: float values (which get a gradient) or int32 ids / masks (which do not). */
    record Input(String name, Shape shape, float[] values, int[] ids) {
        HostTensor host(float[] v) {
            return values != null ? HostTensor.ofFloats(shape, v) : HostTensor.ofInts(shape, ids);
        }
    }

    static Input floats(String name, Random rnd, double lo, double hi, int... dims) {
        Shape s = Shape.of(dims);
        float[] v = new float[s.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (lo + (hi - lo) * rnd.nextDouble());
        }
        return new Input(name, s, v, null);
    }

    static Input ints(String name, int[] ids, int... dims) {
        return new Input(name, Shape.of(dims), null, ids);
    }

    /** Values in ±[0.1, 1] so that ReLU's kink is at least 10 steps away from every point. */
    static Input awayFromZero(String name, Random rnd, int... dims) {
        Input in = floats(name, rnd, 0.1, 1.0, dims);
        for (int i = 0; i < in.values.length; i++) {
            if (rnd.nextBoolean()) {
                in.values[i] = -in.values[i];
            }
        }
        return in;
    }

    /** The gradients of every float input (null for int inputs) and the projections used. */
    record Analytic(float[][] grads, List<float[]> projections, float[][] outputs) {
    }

    /** Runs {@code layer} through a training {@link CpuOps}, seeds each output's gradient with r, runs the tape. */
    static Analytic analytic(Parallelism par, Layer layer, long seed, Input... inputs) {
        Tape tape = new Tape();
        CpuOps ops = new CpuOps(par, tape, 7L);
        Tensor[] ts = new Tensor[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            Input in = inputs[i];
            ts[i] = in.values != null ? CpuTensor.floats(in.shape, in.values.clone(), true)
                    : ops.constant(HostTensor.ofInts(in.shape, in.ids));
        }
        Tensor[] outs = layer.apply(ops, ts);
        Random rnd = new Random(seed);
        List<float[]> projections = new ArrayList<>();
        float[][] values = new float[outs.length][];
        for (int o = 0; o < outs.length; o++) {
            CpuTensor out = (CpuTensor) outs[o];
            assertTrue(out.requiresGrad, "output " + o + " of the layer must take part in the backward");
            float[] r = new float[out.shape.size()];
            for (int i = 0; i < r.length; i++) {
                r[i] = (float) (2 * rnd.nextDouble() - 1);
            }
            projections.add(r);
            values[o] = out.data.clone();
            float[] g = out.grad();
            for (int i = 0; i < r.length; i++) {
                g[i] += r[i];
            }
        }
        // The tape seeds d(loss)/d(loss) = 1 on the tensor it is given: a detached scalar, so only r drives it.
        tape.backward(CpuTensor.floats(Shape.scalar(), new float[1], true));
        float[][] grads = new float[inputs.length][];
        for (int i = 0; i < inputs.length; i++) {
            if (inputs[i].values != null) {
                CpuTensor t = (CpuTensor) ts[i];
                grads[i] = t.gradOrNull() == null ? new float[t.data.length] : t.gradOrNull();
            }
        }
        return new Analytic(grads, projections, values);
    }

    /** {@code Σ out · r} in double, with the forward of {@code ops}, input {@code which} replaced by {@code v}. */
    static double projectedLoss(Ops ops, Layer layer, Input[] inputs, int which, float[] v, List<float[]> projections) {
        Tensor[] ts = new Tensor[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            ts[i] = ops.constant(inputs[i].host(i == which ? v : inputs[i].values));
        }
        Tensor[] outs = layer.apply(ops, ts);
        double sum = 0;
        for (int o = 0; o < outs.length; o++) {
            float[] y = outs[o].toFloatArray();
            float[] r = projections.get(o);
            assertEquals(r.length, y.length, "output " + o + " size");
            for (int i = 0; i < y.length; i++) {
                sum += (double) y[i] * r[i];
            }
        }
        return sum;
    }

    /**
     * Checks the CPU backward of {@code layer} for every float input against finite differences of the
     * reference forward, sequentially and with two threads.
     */
    static void check(String what, Layer layer, Input... inputs) {
        for (Parallelism par : new Parallelism[] {Parallelism.sequential(), TWO}) {
            Analytic a = analytic(par, layer, 99L, inputs);
            ReferenceOps reference = new ReferenceOps();
            boolean any = false;
            for (int i = 0; i < inputs.length; i++) {
                if (inputs[i].values == null) {
                    continue;
                }
                int which = i;
                double[] fd = GradientCheck.numericGradient(
                        v -> projectedLoss(reference, layer, inputs, which, v, a.projections), inputs[i].values, STEP);
                GradientCheck.assertGradientClose(what + ", input " + inputs[i].name + " (" + par.threads()
                        + " thread(s))", a.grads[i], fd, GRAD);
                any |= Arrays.stream(fd).anyMatch(d -> Math.abs(d) > 1e-2);
            }
            assertTrue(any, what + ": every finite difference is ~0, so the check would prove nothing");
        }
    }

    @Test
    void embeddingTokenIdsWithRepeats() {
        Random rnd = new Random(1);
        // ids [2, 5] into a [7, 5] table; ids 3 and 0 repeat, so their rows must accumulate several gradients
        int[] ids = {3, 0, 6, 3, 1, 0, 3, 2, 5, 0};
        check("embedding", (ops, in) -> new Tensor[] {ops.embedding(in[0], in[1])},
                floats("table", rnd, -1, 1, 7, 5), ints("ids", ids, 2, 5));
    }

    @Test
    void embeddingPositionIds() {
        Random rnd = new Random(2);
        check("embedding of positions", (ops, in) -> new Tensor[] {ops.embedding(in[0], in[1])},
                floats("table", rnd, -1, 1, 9, 3), ints("positions", new int[] {2, 3, 4, 5, 6}, 5));
    }

    @Test
    void linearWithBias() {
        Random rnd = new Random(3);
        check("linear with bias", (ops, in) -> new Tensor[] {ops.linear(in[0], in[1], in[2])},
                floats("x", rnd, -1, 1, 2, 3, 7), floats("weight", rnd, -1, 1, 5, 7), floats("bias", rnd, -1, 1, 5));
    }

    @Test
    void linearWithoutBias() {
        Random rnd = new Random(4);
        check("linear without bias", (ops, in) -> new Tensor[] {ops.linear(in[0], in[1], null)},
                floats("x", rnd, -1, 1, 3, 5, 11), floats("weight", rnd, -1, 1, 13, 11));
    }

    @Test
    void linearLargeEnoughForTheVectorPathsAndBlocking() {
        Random rnd = new Random(5);
        check("linear [9, 37] x [19, 37]", (ops, in) -> new Tensor[] {ops.linear(in[0], in[1], in[2])},
                floats("x", rnd, -1, 1, 9, 37), floats("weight", rnd, -0.5, 0.5, 19, 37),
                floats("bias", rnd, -1, 1, 19));
    }

    @Test
    void layerNormWithBeta() {
        Random rnd = new Random(6);
        check("layerNorm with beta", (ops, in) -> new Tensor[] {ops.layerNorm(in[0], in[1], in[2], 1e-5f)},
                floats("x", rnd, -2, 2, 2, 3, 7), floats("gamma", rnd, 0.5, 1.5, 7), floats("beta", rnd, -1, 1, 7));
    }

    @Test
    void layerNormWithoutBetaWideRows() {
        Random rnd = new Random(7);
        check("layerNorm without beta", (ops, in) -> new Tensor[] {ops.layerNorm(in[0], in[1], null, 1e-5f)},
                floats("x", rnd, -2, 2, 3, 19), floats("gamma", rnd, 0.5, 1.5, 19));
    }

    @Test
    void addSameShape() {
        Random rnd = new Random(8);
        check("add", (ops, in) -> new Tensor[] {ops.add(in[0], in[1])},
                floats("a", rnd, -1, 1, 2, 3, 5), floats("b", rnd, -1, 1, 2, 3, 5));
    }

    @Test
    void addBroadcastOverChannelsAndOverTime() {
        Random rnd = new Random(9);
        check("add broadcast [C]", (ops, in) -> new Tensor[] {ops.add(in[0], in[1])},
                floats("a", rnd, -1, 1, 2, 3, 5), floats("b", rnd, -1, 1, 5));
        check("add broadcast [T, C]", (ops, in) -> new Tensor[] {ops.add(in[0], in[1])},
                floats("a", rnd, -1, 1, 3, 4, 5), floats("b", rnd, -1, 1, 4, 5));
    }

    @Test
    void scale() {
        Random rnd = new Random(10);
        check("scale", (ops, in) -> new Tensor[] {ops.scale(in[0], 2.6457512f)}, floats("x", rnd, -1, 1, 2, 3, 7));
    }

    @Test
    void gelu() {
        Random rnd = new Random(11);
        check("gelu", (ops, in) -> new Tensor[] {ops.gelu(in[0])}, floats("x", rnd, -4, 4, 3, 5, 7));
    }

    @Test
    void geluTanh() {
        Random rnd = new Random(13);
        check("geluTanh", (ops, in) -> new Tensor[] {ops.geluTanh(in[0])}, floats("x", rnd, -4, 4, 3, 5, 7));
    }

    @Test
    void relu() {
        Random rnd = new Random(12);
        check("relu", (ops, in) -> new Tensor[] {ops.relu(in[0])}, awayFromZero("x", rnd, 3, 5, 7));
    }

    @Test
    void splitIntoThree() {
        Random rnd = new Random(13);
        check("split", (ops, in) -> ops.split(in[0], 3), floats("x", rnd, -1, 1, 2, 3, 15));
    }

    @Test
    void splitWhereOnlyOnePartIsUsed() {
        Random rnd = new Random(14);
        // the unused parts get no gradient: columns of x outside the middle slice must stay zero
        check("split, middle part only", (ops, in) -> new Tensor[] {ops.split(in[0], 3)[1]},
                floats("x", rnd, -1, 1, 2, 3, 9));
    }

    @Test
    void concatTime() {
        Random rnd = new Random(15);
        check("concatTime", (ops, in) -> new Tensor[] {ops.concatTime(in[0], in[1])},
                floats("a", rnd, -1, 1, 2, 3, 5), floats("b", rnd, -1, 1, 2, 2, 5));
    }

    private static Layer attention(int heads, boolean causal, boolean masked) {
        return (ops, in) -> new Tensor[] {ops.attention(in[0], in[1], in[2], heads, causal, masked ? in[3] : null)};
    }

    @Test
    void attentionPlain() {
        Random rnd = new Random(16);
        check("attention", attention(2, false, false), floats("q", rnd, -1, 1, 2, 5, 6),
                floats("k", rnd, -1, 1, 2, 5, 6), floats("v", rnd, -1, 1, 2, 5, 6));
    }

    @Test
    void attentionCausal() {
        Random rnd = new Random(17);
        check("causal attention", attention(3, true, false), floats("q", rnd, -1, 1, 2, 5, 9),
                floats("k", rnd, -1, 1, 2, 5, 9), floats("v", rnd, -1, 1, 2, 5, 9));
    }

    @Test
    void attentionCausalWithFewerQueriesThanKeys() {
        Random rnd = new Random(18);
        // the cached-decoding shape: 3 new queries at positions 4, 5, 6 against 7 keys
        check("causal attention Tq=3 < Tk=7", attention(2, true, false), floats("q", rnd, -1, 1, 2, 3, 6),
                floats("k", rnd, -1, 1, 2, 7, 6), floats("v", rnd, -1, 1, 2, 7, 6));
    }

    @Test
    void attentionCausalLongEnoughForTheTransposedPath() {
        Random rnd = new Random(19);
        check("causal attention T=9", attention(2, true, false), floats("q", rnd, -1, 1, 1, 9, 10),
                floats("k", rnd, -1, 1, 1, 9, 10), floats("v", rnd, -1, 1, 1, 9, 10));
    }

    @Test
    void attentionWithKeyMask() {
        Random rnd = new Random(20);
        // batch 0 sees every key, batch 1 pads its last two keys and one in the middle
        int[] mask = {1, 1, 1, 1, 1, 1, 1, 0, 1, 0, 0, 1};
        check("attention with a key mask", attention(2, false, true), floats("q", rnd, -1, 1, 2, 4, 6),
                floats("k", rnd, -1, 1, 2, 6, 6), floats("v", rnd, -1, 1, 2, 6, 6), ints("keyMask", mask, 2, 6));
        check("causal attention with a key mask", attention(2, true, true), floats("q", rnd, -1, 1, 2, 6, 6),
                floats("k", rnd, -1, 1, 2, 6, 6), floats("v", rnd, -1, 1, 2, 6, 6), ints("keyMask", mask, 2, 6));
    }

    @Test
    void crossEntropy() {
        Random rnd = new Random(21);
        int[] targets = {0, 4, 6, 2, 2, 1};
        check("crossEntropy", (ops, in) -> new Tensor[] {ops.crossEntropy(in[0], in[1], GptModel.IGNORE_INDEX)},
                floats("logits", rnd, -3, 3, 2, 3, 7), ints("targets", targets, 2, 3));
    }

    @Test
    void crossEntropyWithIgnoredTargets() {
        Random rnd = new Random(22);
        int[] targets = {3, -100, 6, -100, 0, 1, -100, 10};
        Analytic a = analytic(Parallelism.sequential(),
                (ops, in) -> new Tensor[] {ops.crossEntropy(in[0], in[1], -100)}, 22L,
                floats("logits", new Random(22), -3, 3, 2, 4, 11), ints("targets", targets, 2, 4));
        // ignored rows get exactly no gradient
        for (int row : new int[] {1, 3, 6}) {
            for (int j = 0; j < 11; j++) {
                assertEquals(0f, a.grads[0][row * 11 + j], "gradient of ignored row " + row + ", logit " + j);
            }
        }
        check("crossEntropy with ignoreIndex", (ops, in) -> new Tensor[] {ops.crossEntropy(in[0], in[1], -100)},
                floats("logits", rnd, -3, 3, 2, 4, 11), ints("targets", targets, 2, 4));
    }

    @Test
    void dropoutBackwardIsTheMaskOverKeepProbability() {
        Random rnd = new Random(23);
        float p = 0.3f;
        Input x = awayFromZero("x", rnd, 5, 7, 31);
        Analytic a = analytic(Parallelism.sequential(), (ops, in) -> new Tensor[] {ops.dropout(in[0], p)}, 23L, x);
        float[] y = a.outputs[0];
        float[] r = a.projections.get(0);
        float[] dx = a.grads[0];
        float scale = 1f / (1f - p);
        int dropped = 0;
        for (int i = 0; i < y.length; i++) {
            boolean kept = y[i] != 0f; // x is never 0, so a zero output means dropped
            if (kept) {
                assertEquals(x.values[i] * scale, y[i], Math.ulp(y[i]), "kept element " + i + " is scaled by 1/(1-p)");
                assertEquals(r[i] * scale, dx[i], Math.ulp(dx[i]), "dx of kept element " + i);
            } else {
                dropped++;
                assertEquals(0f, dx[i], "dx of dropped element " + i);
            }
        }
        int n = y.length;
        double sigma = Math.sqrt(n * p * (1 - p));
        assertTrue(Math.abs(dropped - n * p) < 5 * sigma, dropped + " of " + n + " dropped; expected about " + n * p);

        // The mask is a function of the ops' seed: the same seed repeats it, another seed gives another one.
        Analytic again = analytic(Parallelism.sequential(), (ops, in) -> new Tensor[] {ops.dropout(in[0], p)}, 23L, x);
        assertArrayEquals(y, again.outputs[0], "same dropout seed, same mask");
        CpuOps other = new CpuOps(Parallelism.sequential(), new Tape(), 8L);
        float[] yOther = other.dropout(CpuTensor.floats(x.shape, x.values.clone(), true), p).toFloatArray();
        assertNotEquals(Arrays.toString(y), Arrays.toString(yOther), "another dropout seed must give another mask");
        // Two dropout calls in one forward pass draw different masks.
        CpuOps twice = new CpuOps(Parallelism.sequential(), new Tape(), 7L);
        CpuTensor xt = CpuTensor.floats(x.shape, x.values.clone(), true);
        float[] first = twice.dropout(xt, p).toFloatArray();
        float[] second = twice.dropout(xt, p).toFloatArray();
        assertNotEquals(Arrays.toString(first), Arrays.toString(second), "each dropout site needs its own mask");
    }

    @Test
    void dropoutIsTheIdentityWhenNotTrainingOrAtZero() {
        Random rnd = new Random(24);
        Input x = floats("x", rnd, -1, 1, 3, 4);
        CpuOps inference = new CpuOps(Parallelism.sequential(), null, 7L);
        assertArrayEquals(x.values, inference.dropout(inference.constant(x.host(x.values)), 0.5f).toFloatArray());
        check("dropout p=0", (ops, in) -> new Tensor[] {ops.dropout(in[0], 0f)}, x);
    }

    @Test
    void aTensorUsedTwiceAccumulatesBothGradients() {
        Random rnd = new Random(25);
        // x feeds a linear layer, a GELU and the residual sum: dx must be the sum of all three paths
        check("x used three times", (ops, in) -> new Tensor[] {
                ops.add(ops.add(ops.linear(in[0], in[1], null), ops.gelu(in[0])), in[0])},
                floats("x", rnd, -1, 1, 2, 3, 5), floats("w", rnd, -1, 1, 5, 5));
        // tied embeddings: the table is looked up and is also the output projection
        check("tied embedding table", (ops, in) -> {
            Tensor h = ops.layerNorm(ops.embedding(in[0], in[1]), in[2], null, 1e-5f);
            return new Tensor[] {ops.crossEntropy(ops.linear(h, in[0], null), in[3], -100)};
        }, floats("table", rnd, -1, 1, 7, 5), ints("ids", new int[] {1, 4, 4, 0, 6, 1}, 2, 3),
                floats("gamma", rnd, 0.5, 1.5, 5), ints("targets", new int[] {4, 4, 0, 6, 1, -100}, 2, 3));
        // self-attention: one tensor is query, key and value at once
        check("self-attention, q = k = v", (ops, in) -> new Tensor[] {ops.attention(in[0], in[0], in[0], 2, true, null)},
                floats("x", rnd, -1, 1, 2, 4, 6));
    }

    @Test
    void aChainOfLayersThroughDropoutMatchesTheSameMaskForward() {
        Random rnd = new Random(26);
        Input x = floats("x", rnd, -1, 1, 3, 4, 6);
        Input w = floats("w", rnd, -1, 1, 6, 6);
        Layer layer = (ops, in) -> new Tensor[] {ops.gelu(ops.dropout(ops.linear(in[0], in[1], null), 0.25f))};
        Analytic a = analytic(Parallelism.sequential(), layer, 26L, x, w);
        Input[] inputs = {x, w};
        for (int i = 0; i < 2; i++) {
            int which = i;
            // a fresh training CpuOps with the same seed draws the same mask, so it is a differentiable function
            double[] fd = GradientCheck.numericGradient(v -> projectedLoss(
                    new CpuOps(Parallelism.sequential(), new Tape(), 7L), layer, inputs, which, v, a.projections),
                    inputs[i].values, STEP);
            GradientCheck.assertGradientClose("linear, dropout, gelu: " + inputs[i].name, a.grads[i], fd, GRAD);
        }
    }

    /** Attention dropout: with the mask fixed by the seed, the gradients of q, k and v match finite differences. */
    @Test
    void attentionWithDropoutMatchesTheSameMaskForward() {
        Random rnd = new Random(27);
        Input q = floats("q", rnd, -1, 1, 2, 5, 6);
        Input k = floats("k", rnd, -1, 1, 2, 7, 6);
        Input v = floats("v", rnd, -1, 1, 2, 7, 6);
        Input mask = ints("mask", new int[] {1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 0, 1}, 2, 7);
        Layer layer = (ops, in) -> new Tensor[] {ops.attention(in[0], in[1], in[2], 2, true, in[3], 0.3f)};
        Input[] inputs = {q, k, v, mask};
        Analytic a = analytic(Parallelism.sequential(), layer, 27L, inputs);
        for (int i = 0; i < 3; i++) {
            int which = i;
            double[] fd = GradientCheck.numericGradient(vals -> projectedLoss(
                    new CpuOps(Parallelism.sequential(), new Tape(), 7L), layer, inputs, which, vals, a.projections),
                    inputs[i].values, STEP);
            GradientCheck.assertGradientClose("attention with dropout: " + inputs[i].name, a.grads[i], fd, GRAD);
        }
        // the dropout is real: the training output differs from plain attention's, and inference ignores it
        CpuOps plain = new CpuOps(Parallelism.sequential(), null, 7L);
        Tensor[] ts = {plain.constant(q.host(q.values)), plain.constant(k.host(k.values)), plain.constant(v.host(v.values)),
                plain.constant(HostTensor.ofInts(mask.shape, mask.ids))};
        float[] noDropout = plain.attention(ts[0], ts[1], ts[2], 2, true, ts[3]).toFloatArray();
        assertArrayEquals(noDropout, plain.attention(ts[0], ts[1], ts[2], 2, true, ts[3], 0.3f).toFloatArray(),
                "no dropout outside training");
        assertNotEquals(Arrays.toString(noDropout), Arrays.toString(a.outputs[0]), "training drops attention weights");
    }
}
