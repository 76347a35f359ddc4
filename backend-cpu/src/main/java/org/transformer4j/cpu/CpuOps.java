package org.transformer4j.cpu;

import org.transformer4j.cpu.kernel.ActivationKernels;
import org.transformer4j.cpu.kernel.AttentionKernel;
import org.transformer4j.cpu.kernel.CrossEntropyKernel;
import org.transformer4j.cpu.kernel.DropoutFactors;
import org.transformer4j.cpu.kernel.DropoutKernel;
import org.transformer4j.cpu.kernel.EmbeddingKernel;
import org.transformer4j.cpu.kernel.LayerNormKernel;
import org.transformer4j.cpu.kernel.Parallelism;
import org.transformer4j.cpu.kernel.Sgemm;
import org.transformer4j.nn.Ops;
import org.transformer4j.tensor.HostTensor;
import org.transformer4j.tensor.Shape;
import org.transformer4j.tensor.ShapeMismatchException;
import org.transformer4j.tensor.Tensor;

/**
 * The layer contracts on heap arrays. Each op runs its SIMD forward kernel at once; when training (a
 * {@link Tape} is present) and an input needs a gradient, it records the matching backward kernel, which
 * adds into the inputs' gradient buffers.
 */
final class CpuOps implements Ops {
    private final Parallelism par;
    private final Tape tape;
    private final long dropoutSeed;
    private int dropoutCalls;

    /**
     * @param tape        null for inference
     * @param dropoutSeed seed of this forward pass's dropout masks (each dropout call derives its own)
     */
    CpuOps(Parallelism par, Tape tape, long dropoutSeed) {
        this.par = par;
        this.tape = tape;
        this.dropoutSeed = dropoutSeed;
    }

    @Override
    public boolean training() {
        return tape != null;
    }

    static CpuTensor cpu(Tensor t, String op, String what) {
        if (t instanceof CpuTensor c) {
            return c;
        }
        if (t == null) {
            throw new IllegalArgumentException(op + ": " + what + " is null");
        }
        throw new IllegalArgumentException(op + ": " + what + " is a " + t.getClass().getSimpleName()
                + ", not a tensor of the cpu backend; upload it with ops.constant(...)");
    }

    private static CpuTensor values(Tensor t, String op, String what) {
        CpuTensor c = cpu(t, op, what);
        if (c.data == null) {
            throw new IllegalArgumentException(op + ": " + what + " must be float32 but is int32 " + c.shape);
        }
        return c;
    }

    private static CpuTensor idsOf(Tensor t, String op, String what) {
        CpuTensor c = cpu(t, op, what);
        if (c.ids == null) {
            throw new IllegalArgumentException(op + ": " + what + " must be int32 ids but is float32 " + c.shape);
        }
        return c;
    }

    /** Refuses a scalar where an op works along the last axis (Shape.dim(-1) of a scalar has no axis to read). */
    private static void requireAxis(String op, String what, CpuTensor t) {
        if (t.shape.rank() < 1) {
            throw new ShapeMismatchException(op + ": " + what + " must have at least one axis but is a scalar "
                    + t.shape);
        }
    }

    private boolean grads(CpuTensor... ts) {
        if (tape == null) {
            return false;
        }
        for (CpuTensor t : ts) {
            if (t != null && t.requiresGrad) {
                return true;
            }
        }
        return false;
    }

    private CpuTensor result(Shape shape, float[] data, CpuTensor... inputs) {
        return CpuTensor.floats(shape, data, grads(inputs));
    }

    @Override
    public Tensor constant(HostTensor value) {
        return switch (value.dtype()) {
            case FLOAT32 -> CpuTensor.floats(value.shape(), value.floats(), false);
            case INT32 -> CpuTensor.ints(value.shape(), value.ints());
            case INT64 -> CpuTensor.ints(value.shape(), value.toIntArray());
        };
    }

    @Override
    public Tensor embedding(Tensor tableT, Tensor idsT) {
        CpuTensor table = values(tableT, "embedding", "table");
        CpuTensor ids = idsOf(idsT, "embedding", "ids");
        Shape.requireRank("embedding", "table", table.shape, 2);
        int vocab = table.shape.dim(0);
        int c = table.shape.dim(1);
        int n = ids.shape.size();
        int[] dims = new int[ids.shape.rank() + 1];
        System.arraycopy(ids.shape.toArray(), 0, dims, 0, ids.shape.rank());
        dims[dims.length - 1] = c;
        float[] out = new float[n * c];
        EmbeddingKernel.forward(par, table.data, vocab, c, ids.ids, n, out);
        CpuTensor y = result(Shape.of(dims), out, table);
        if (y.requiresGrad) {
            tape.record(() -> EmbeddingKernel.backward(par, y.grad(), ids.ids, n, c, table.grad()));
        }
        return y;
    }

    @Override
    public Tensor linear(Tensor xT, Tensor wT, Tensor bT) {
        CpuTensor x = values(xT, "linear", "x");
        CpuTensor w = values(wT, "linear", "weight");
        CpuTensor b = bT == null ? null : values(bT, "linear", "bias");
        Shape.requireRank("linear", "weight", w.shape, 2);
        int out = w.shape.dim(0);
        int in = w.shape.dim(1);
        if (x.shape.rank() < 1 || x.shape.dim(-1) != in) {
            throw new ShapeMismatchException("linear: x " + x.shape + " must end with the weight's input width " + in
                    + " (weight " + w.shape + ")");
        }
        if (b != null) {
            Shape.requireEqual("linear", "bias", Shape.of(out), b.shape);
        }
        int rows = x.shape.rows();
        float[] y = new float[rows * out];
        Sgemm.sgemm(par, false, true, rows, out, in, 1f, x.data, 0, in, w.data, 0, in, 0f, y, 0, out);
        if (b != null) {
            addRowBias(y, b.data, rows, out);
        }
        CpuTensor yt = result(x.shape.withLast(out), y, x, w, b);
        if (yt.requiresGrad) {
            tape.record(() -> {
                float[] dy = yt.grad();
                if (x.requiresGrad) {
                    Sgemm.sgemm(par, false, false, rows, in, out, 1f, dy, 0, out, w.data, 0, in, 1f, x.grad(), 0, in);
                }
                if (w.requiresGrad) {
                    Sgemm.sgemm(par, true, false, out, in, rows, 1f, dy, 0, out, x.data, 0, in, 1f, w.grad(), 0, in);
                }
                if (b != null && b.requiresGrad) {
                    sumRows(dy, rows, out, b.grad());
                }
            });
        }
        return yt;
    }

    private void addRowBias(float[] y, float[] bias, int rows, int width) {
        par.forRange(rows, 16, (from, to) -> {
            for (int r = from; r < to; r++) {
                int off = r * width;
                for (int j = 0; j < width; j++) {
                    y[off + j] += bias[j];
                }
            }
        });
    }

    /** acc[j] += sum over rows of m[r, j]; split by columns, so each column is summed in row order at any thread count. */
    private void sumRows(float[] m, int rows, int width, float[] acc) {
        par.forRange(width, 16, (from, to) -> {
            for (int r = 0; r < rows; r++) {
                int off = r * width;
                for (int j = from; j < to; j++) {
                    acc[j] += m[off + j];
                }
            }
        });
    }

    /** dst[i] += src[i] * factor for every i. */
    private void addScaled(float[] src, float factor, float[] dst, int n) {
        par.forRange(n, 4096, (from, to) -> {
            for (int i = from; i < to; i++) {
                dst[i] += src[i] * factor;
            }
        });
    }

    @Override
    public Tensor layerNorm(Tensor xT, Tensor gT, Tensor bT, float eps) {
        CpuTensor x = values(xT, "layerNorm", "x");
        CpuTensor g = values(gT, "layerNorm", "gamma");
        CpuTensor b = bT == null ? null : values(bT, "layerNorm", "beta");
        requireAxis("layerNorm", "x", x);
        int c = x.shape.dim(-1);
        Shape.requireEqual("layerNorm", "gamma", Shape.of(c), g.shape);
        if (b != null) {
            Shape.requireEqual("layerNorm", "beta", Shape.of(c), b.shape);
        }
        int rows = x.shape.rows();
        float[] out = new float[x.data.length];
        float[] mean = new float[rows];
        float[] rstd = new float[rows];
        LayerNormKernel.forward(par, x.data, g.data, b == null ? null : b.data, eps, rows, c, out, mean, rstd);
        CpuTensor y = result(x.shape, out, x, g, b);
        if (y.requiresGrad) {
            tape.record(() -> LayerNormKernel.backward(par, y.grad(), x.data, g.data, mean, rstd, rows, c,
                    x.requiresGrad ? x.grad() : new float[x.data.length],
                    g.requiresGrad ? g.grad() : new float[c],
                    b == null ? null : b.requiresGrad ? b.grad() : new float[c]));
        }
        return y;
    }

    @Override
    public Tensor add(Tensor aT, Tensor bT) {
        CpuTensor a = values(aT, "add", "a");
        CpuTensor b = values(bT, "add", "b");
        if (!a.shape.endsWith(b.shape)) {
            throw new ShapeMismatchException("add: b " + b.shape + " must equal a " + a.shape + " or its trailing axes");
        }
        int n = a.data.length;
        int period = b.data.length;
        float[] out = new float[n];
        if (period == n) {
            par.forRange(n, 4096, (from, to) -> {
                for (int i = from; i < to; i++) {
                    out[i] = a.data[i] + b.data[i];
                }
            });
        } else if (period > 0) {
            par.forRange(n / period, 1, (from, to) -> {
                for (int r = from; r < to; r++) {
                    int off = r * period;
                    for (int j = 0; j < period; j++) {
                        out[off + j] = a.data[off + j] + b.data[j];
                    }
                }
            });
        }
        CpuTensor y = result(a.shape, out, a, b);
        if (y.requiresGrad) {
            tape.record(() -> {
                float[] dy = y.grad();
                if (a.requiresGrad) {
                    addScaled(dy, 1f, a.grad(), n);
                }
                if (b.requiresGrad && period > 0) {
                    sumRows(dy, n / period, period, b.grad());
                }
            });
        }
        return y;
    }

    @Override
    public Tensor scale(Tensor xT, float factor) {
        CpuTensor x = values(xT, "scale", "x");
        float[] out = new float[x.data.length];
        addScaled(x.data, factor, out, out.length);
        CpuTensor y = result(x.shape, out, x);
        if (y.requiresGrad) {
            tape.record(() -> addScaled(y.grad(), factor, x.grad(), out.length));
        }
        return y;
    }

    @Override
    public Tensor gelu(Tensor xT) {
        CpuTensor x = values(xT, "gelu", "x");
        int n = x.data.length;
        float[] out = new float[n];
        ActivationKernels.geluForward(par, x.data, out, n);
        CpuTensor y = result(x.shape, out, x);
        if (y.requiresGrad) {
            tape.record(() -> ActivationKernels.geluBackward(par, x.data, y.grad(), x.grad(), n));
        }
        return y;
    }

    @Override
    public Tensor geluTanh(Tensor xT) {
        CpuTensor x = values(xT, "geluTanh", "x");
        int n = x.data.length;
        float[] out = new float[n];
        ActivationKernels.geluTanhForward(par, x.data, out, n);
        CpuTensor y = result(x.shape, out, x);
        if (y.requiresGrad) {
            tape.record(() -> ActivationKernels.geluTanhBackward(par, x.data, y.grad(), x.grad(), n));
        }
        return y;
    }

    @Override
    public Tensor relu(Tensor xT) {
        CpuTensor x = values(xT, "relu", "x");
        int n = x.data.length;
        float[] out = new float[n];
        ActivationKernels.reluForward(par, x.data, out, n);
        CpuTensor y = result(x.shape, out, x);
        if (y.requiresGrad) {
            tape.record(() -> ActivationKernels.reluBackward(par, x.data, y.grad(), x.grad(), n));
        }
        return y;
    }

    @Override
    public Tensor dropout(Tensor xT, float p) {
        CpuTensor x = values(xT, "dropout", "x");
        if (!(p >= 0f && p < 1f)) {
            throw new IllegalArgumentException("dropout: p must be in [0, 1), was " + p);
        }
        if (tape == null || p == 0f) {
            return x;
        }
        int n = x.data.length;
        float[] out = new float[n];
        byte[] mask = new byte[n];
        DropoutKernel.forward(par, x.data, out, mask, n, p, nextDropoutSeed());
        CpuTensor y = result(x.shape, out, x);
        if (y.requiresGrad) {
            tape.record(() -> DropoutKernel.backward(par, y.grad(), mask, n, p, x.grad()));
        }
        return y;
    }

    @Override
    public Tensor[] split(Tensor xT, int parts) {
        CpuTensor x = values(xT, "split", "x");
        requireAxis("split", "x", x);
        int width = x.shape.dim(-1);
        if (parts < 1 || width % parts != 0) {
            throw new ShapeMismatchException("split: the last axis of " + x.shape + " does not split into " + parts + " equal parts");
        }
        int rows = x.shape.rows();
        int w = width / parts;
        Shape outShape = x.shape.withLast(w);
        CpuTensor[] outs = new CpuTensor[parts];
        for (int p = 0; p < parts; p++) {
            float[] o = new float[rows * w];
            int col = p * w;
            par.forRange(rows, 16, (from, to) -> {
                for (int r = from; r < to; r++) {
                    System.arraycopy(x.data, r * width + col, o, r * w, w);
                }
            });
            CpuTensor y = result(outShape, o, x);
            outs[p] = y;
            if (y.requiresGrad) {
                tape.record(() -> {
                    float[] dy = y.grad();
                    float[] dx = x.grad();
                    par.forRange(rows, 16, (from, to) -> {
                        for (int r = from; r < to; r++) {
                            int xo = r * width + col;
                            int yo = r * w;
                            for (int j = 0; j < w; j++) {
                                dx[xo + j] += dy[yo + j];
                            }
                        }
                    });
                });
            }
        }
        return outs;
    }

    @Override
    public Tensor concatTime(Tensor aT, Tensor bT) {
        CpuTensor a = values(aT, "concatTime", "a");
        CpuTensor b = values(bT, "concatTime", "b");
        if (a.shape.rank() < 2 || b.shape.rank() != a.shape.rank() || a.shape.dim(0) != b.shape.dim(0)
                || a.shape.size() / Math.max(1, a.shape.dim(0) * a.shape.dim(1)) != b.shape.size() / Math.max(1, b.shape.dim(0) * b.shape.dim(1))) {
            throw new ShapeMismatchException("concatTime: " + a.shape + " and " + b.shape
                    + " must agree on every axis but axis 1");
        }
        int batch = a.shape.dim(0);
        int ta = a.shape.dim(1);
        int tb = b.shape.dim(1);
        int inner = a.shape.size() / Math.max(1, batch * ta);
        int[] dims = a.shape.toArray();
        dims[1] = ta + tb;
        float[] out = new float[batch * (ta + tb) * inner];
        for (int i = 0; i < batch; i++) {
            System.arraycopy(a.data, i * ta * inner, out, i * (ta + tb) * inner, ta * inner);
            System.arraycopy(b.data, i * tb * inner, out, (i * (ta + tb) + ta) * inner, tb * inner);
        }
        CpuTensor y = result(Shape.of(dims), out, a, b);
        if (y.requiresGrad) {
            tape.record(() -> {
                float[] dy = y.grad();
                for (int i = 0; i < batch; i++) {
                    if (a.requiresGrad) {
                        addInto(dy, i * (ta + tb) * inner, a.grad(), i * ta * inner, ta * inner);
                    }
                    if (b.requiresGrad) {
                        addInto(dy, (i * (ta + tb) + ta) * inner, b.grad(), i * tb * inner, tb * inner);
                    }
                }
            });
        }
        return y;
    }

    private static void addInto(float[] src, int srcOff, float[] dst, int dstOff, int len) {
        for (int j = 0; j < len; j++) {
            dst[dstOff + j] += src[srcOff + j];
        }
    }

    @Override
    public Tensor attention(Tensor qT, Tensor kT, Tensor vT, int heads, boolean causal, Tensor maskT) {
        return attention(qT, kT, vT, heads, causal, maskT, 0f);
    }

    @Override
    public Tensor attention(Tensor qT, Tensor kT, Tensor vT, int heads, boolean causal, Tensor maskT, float dropout) {
        if (!(dropout >= 0f && dropout < 1f)) {
            throw new IllegalArgumentException("attention: dropout must be in [0, 1), was " + dropout);
        }
        CpuTensor q = values(qT, "attention", "q");
        CpuTensor k = values(kT, "attention", "k");
        CpuTensor v = values(vT, "attention", "v");
        Shape.requireRank("attention", "q", q.shape, 3);
        Shape.requireRank("attention", "k", k.shape, 3);
        Shape.requireEqual("attention", "v", k.shape, v.shape);
        int b = q.shape.dim(0);
        int tq = q.shape.dim(1);
        int c = q.shape.dim(2);
        int tk = k.shape.dim(1);
        if (k.shape.dim(0) != b || k.shape.dim(2) != c) {
            throw new ShapeMismatchException("attention: q " + q.shape + " and k " + k.shape + " must agree on batch and width");
        }
        if (heads < 1 || c % heads != 0) {
            throw new ShapeMismatchException("attention: width " + c + " does not split into " + heads + " heads");
        }
        if (causal && tq > tk) {
            throw new ShapeMismatchException("attention: causal attention needs at least as many keys (" + tk
                    + ") as queries (" + tq + ")");
        }
        int[] mask = null;
        if (maskT != null) {
            CpuTensor m = idsOf(maskT, "attention", "keyMask");
            Shape.requireEqual("attention", "keyMask", Shape.of(b, tk), m.shape);
            mask = m.ids;
        }
        float[] out = new float[b * tq * c];
        float[] probs = new float[b * heads * tq * tk];
        // the mask is a function of this site's seed and the element index: regenerated by the backward, not stored
        DropoutFactors drop = tape != null && dropout > 0f ? DropoutFactors.seeded(nextDropoutSeed(), dropout) : null;
        AttentionKernel.forward(par, q.data, k.data, v.data, b, tq, tk, c, heads, causal, mask, out, probs, drop);
        CpuTensor y = result(q.shape, out, q, k, v);
        if (y.requiresGrad) {
            int[] maskF = mask;
            tape.record(() -> AttentionKernel.backward(par, y.grad(), q.data, k.data, v.data, probs, b, tq, tk, c, heads,
                    causal, maskF, q.requiresGrad ? q.grad() : new float[q.data.length],
                    k.requiresGrad ? k.grad() : new float[k.data.length],
                    v.requiresGrad ? v.grad() : new float[v.data.length], drop));
        }
        return y;
    }

    /** The seed of this pass's next dropout site: a function of the pass's seed and the site's order only. */
    private long nextDropoutSeed() {
        return dropoutSeed * 0x9E3779B97F4A7C15L + (++dropoutCalls);
    }

    @Override
    public Tensor crossEntropy(Tensor logitsT, Tensor targetsT, int ignoreIndex) {
        CpuTensor logits = values(logitsT, "crossEntropy", "logits");
        CpuTensor targets = idsOf(targetsT, "crossEntropy", "targets");
        requireAxis("crossEntropy", "logits", logits);
        int vocab = logits.shape.dim(-1);
        int n = logits.shape.rows();
        if (!logits.shape.withLast(1).equals(withTrailingOne(targets.shape))) {
            throw new ShapeMismatchException("crossEntropy: targets " + targets.shape + " must match logits "
                    + logits.shape + " without its last axis");
        }
        float loss = CrossEntropyKernel.forward(par, logits.data, targets.ids, n, vocab, ignoreIndex);
        CpuTensor y = result(Shape.scalar(), new float[] {loss}, logits);
        if (y.requiresGrad) {
            tape.record(() -> CrossEntropyKernel.backward(par, logits.data, targets.ids, n, vocab, ignoreIndex,
                    y.grad()[0], logits.grad()));
        }
        return y;
    }

    private static Shape withTrailingOne(Shape s) {
        int[] d = new int[s.rank() + 1];
        System.arraycopy(s.toArray(), 0, d, 0, s.rank());
        d[s.rank()] = 1;
        return Shape.of(d);
    }
}
