package org.transformer4j.cpu;

import org.transformer4j.cpu.kernel.ActivationKernels;
import org.transformer4j.cpu.kernel.AttentionKernel;
import org.transformer4j.cpu.kernel.Bf16;
import org.transformer4j.cpu.kernel.CrossEntropyKernel;
import org.transformer4j.cpu.kernel.DropoutFactors;
import org.transformer4j.cpu.kernel.DropoutKernel;
import org.transformer4j.cpu.kernel.ElementwiseKernels;
import org.transformer4j.cpu.kernel.EmbeddingKernel;
import org.transformer4j.cpu.kernel.LayerNormKernel;
import org.transformer4j.cpu.kernel.Parallelism;
import org.transformer4j.cpu.kernel.RmsNormKernel;
import org.transformer4j.cpu.kernel.RotaryKernel;
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
    /** Where this pass's arrays come from, or null (inference: plain allocation). */
    private final StepArena arena;
    private int dropoutCalls;

    /**
     * @param tape        null for inference
     * @param dropoutSeed seed of this forward pass's dropout masks (each dropout call derives its own)
     */
    CpuOps(Parallelism par, Tape tape, long dropoutSeed) {
        this(par, tape, dropoutSeed, null);
    }

    /**
     * @param arena where every output, gradient and mask array of this pass comes from (see {@link StepArena});
     *              null to allocate them
     */
    CpuOps(Parallelism par, Tape tape, long dropoutSeed, StepArena arena) {
        this.par = par;
        this.tape = tape;
        this.dropoutSeed = dropoutSeed;
        this.arena = arena;
    }

    /** A zeroed array of n floats. */
    private float[] zeros(int n) {
        return arena == null ? new float[n] : arena.floats(n);
    }

    /** An array of n floats that the caller writes in full before anything reads it. */
    private float[] uninitialized(int n) {
        return arena == null ? new float[n] : arena.floatsForOverwrite(n);
    }

    /** {@code x.grad += g}, or {@code x.grad = g} (a copy, no zeroing) when nothing has been written there yet. */
    private void addGradient(float[] g, CpuTensor x) {
        if (x.gradUnwritten()) {
            ElementwiseKernels.copy(par, g, x.gradToSet(), g.length);
        } else {
            ElementwiseKernels.accumulate(par, g, x.grad(), g.length);
        }
    }

    /**
     * Where a backward writes x's gradient: x's buffer ({@code set}: written in full, so not zeroed first), or for an
     * x that takes no gradient a scratch array (zeros, unless {@code set}).
     */
    private float[] gradientOrScratch(CpuTensor x, boolean set) {
        if (x.requiresGrad) {
            return set ? x.gradToSet() : x.grad();
        }
        return set ? uninitialized(x.data.length) : zeros(x.data.length);
    }

    /** Whether a backward may set (not add into) what {@link #gradientOrScratch} gives for x: nothing is there yet. */
    private static boolean settable(CpuTensor x) {
        return !x.requiresGrad || x.gradUnwritten();
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

    /** A float32 tensor with dense values (a cache view or a bfloat16 weight is copied out). */
    private static CpuTensor values(Tensor t, String op, String what) {
        return floatsOf(t, op, what).dense();
    }

    /** A float32 tensor in any of its layouts (dense, cache view, bfloat16), for the ops that read them in place. */
    private static CpuTensor floatsOf(Tensor t, String op, String what) {
        CpuTensor c = cpu(t, op, what);
        if (c.ids != null) {
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
        return CpuTensor.floats(shape, data, grads(inputs), arena);
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
        // a bfloat16 table (an inference weight) is read in place; training sees dense tables only
        CpuTensor table = floatsOf(tableT, "embedding", "table");
        if (table.bf16 == null || tape != null) {
            table = table.dense();
        }
        CpuTensor ids = idsOf(idsT, "embedding", "ids");
        Shape.requireRank("embedding", "table", table.shape, 2);
        int vocab = table.shape.dim(0);
        int c = table.shape.dim(1);
        int n = ids.shape.size();
        int[] dims = new int[ids.shape.rank() + 1];
        System.arraycopy(ids.shape.toArray(), 0, dims, 0, ids.shape.rank());
        dims[dims.length - 1] = c;
        float[] out = uninitialized(n * c);
        if (table.bf16 != null) {
            for (int i = 0; i < n; i++) {
                int id = ids.ids[i];
                if (id < 0 || id >= vocab) {
                    throw new IllegalArgumentException("embedding: id " + id + " at index " + i + " is outside the table's "
                            + vocab + " rows; ids must be in [0, " + vocab + ")");
                }
                Bf16.decodeRow(table.bf16, id, c, out, i * c);
            }
            return result(Shape.of(dims), out);
        }
        EmbeddingKernel.forward(par, table.data, vocab, c, ids.ids, n, out);
        CpuTensor tab = table;
        CpuTensor y = result(Shape.of(dims), out, tab);
        if (y.requiresGrad) {
            tape.record(y, () -> EmbeddingKernel.backward(par, y.grad(), ids.ids, n, c, tab.grad()));
        }
        return y;
    }

    @Override
    public Tensor linear(Tensor xT, Tensor wT, Tensor bT) {
        CpuTensor x = values(xT, "linear", "x");
        CpuTensor w = floatsOf(wT, "linear", "weight");
        if (w.bf16 == null || tape != null) {
            w = w.dense();
        }
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
        float[] y = uninitialized(rows * out); // sgemm with beta 0 writes every element
        if (w.bf16 != null) {
            Bf16.linear(par, rows, out, in, x.data, w.bf16, y);
        } else {
            Sgemm.sgemm(par, false, true, rows, out, in, 1f, x.data, 0, in, w.data, 0, in, 0f, y, 0, out);
        }
        if (b != null) {
            ElementwiseKernels.addBroadcast(par, y, b.data, rows, out, y);
        }
        CpuTensor wt = w;
        CpuTensor yt = result(x.shape.withLast(out), y, x, w, b);
        if (yt.requiresGrad) {
            tape.record(yt, () -> {
                float[] dy = yt.grad();
                if (x.requiresGrad) {
                    float beta = x.gradUnwritten() ? 0f : 1f;
                    Sgemm.sgemm(par, false, false, rows, in, out, 1f, dy, 0, out, wt.data, 0, in,
                            beta, x.gradToSet(), 0, in);
                }
                if (wt.requiresGrad) {
                    float beta = wt.gradUnwritten() ? 0f : 1f;
                    Sgemm.sgemm(par, true, false, out, in, rows, 1f, dy, 0, out, x.data, 0, in,
                            beta, wt.gradToSet(), 0, in);
                }
                if (b != null && b.requiresGrad) {
                    ElementwiseKernels.sumRows(par, dy, rows, out, b.grad());
                }
            });
        }
        return yt;
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
        float[] out = uninitialized(x.data.length);
        float[] mean = uninitialized(rows);
        float[] rstd = uninitialized(rows);
        LayerNormKernel.forward(par, x.data, g.data, b == null ? null : b.data, eps, rows, c, out, mean, rstd);
        CpuTensor y = result(x.shape, out, x, g, b);
        if (y.requiresGrad) {
            tape.record(y, () -> {
                boolean setDx = settable(x);
                LayerNormKernel.backward(par, y.grad(), x.data, g.data, mean, rstd, rows, c, gradientOrScratch(x, setDx),
                        gradientOrScratch(g, false), b == null ? null : gradientOrScratch(b, false), setDx);
            });
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
        float[] out = uninitialized(n);
        if (period == n) {
            ElementwiseKernels.add(par, a.data, b.data, out, n);
        } else if (period > 0) {
            ElementwiseKernels.addBroadcast(par, a.data, b.data, n / period, period, out);
        }
        CpuTensor y = result(a.shape, out, a, b);
        if (y.requiresGrad) {
            tape.record(y, () -> {
                float[] dy = y.grad();
                if (a.requiresGrad) {
                    addGradient(dy, a);
                }
                if (b.requiresGrad && period == n) {
                    addGradient(dy, b);
                } else if (b.requiresGrad && period > 0) {
                    ElementwiseKernels.sumRows(par, dy, n / period, period, b.grad());
                }
            });
        }
        return y;
    }

    @Override
    public Tensor scale(Tensor xT, float factor) {
        CpuTensor x = values(xT, "scale", "x");
        float[] out = uninitialized(x.data.length);
        ElementwiseKernels.scale(par, x.data, factor, out, out.length);
        CpuTensor y = result(x.shape, out, x);
        if (y.requiresGrad) {
            tape.record(y, () -> ElementwiseKernels.axpy(par, factor, y.grad(), x.grad(), out.length));
        }
        return y;
    }

    @Override
    public Tensor gelu(Tensor xT) {
        CpuTensor x = values(xT, "gelu", "x");
        int n = x.data.length;
        float[] out = uninitialized(n);
        ActivationKernels.geluForward(par, x.data, out, n);
        CpuTensor y = result(x.shape, out, x);
        if (y.requiresGrad) {
            tape.record(y, () -> {
                boolean set = x.gradUnwritten();
                ActivationKernels.geluBackward(par, x.data, y.grad(), x.gradToSet(), n, set);
            });
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
            tape.record(y, () -> ActivationKernels.geluTanhBackward(par, x.data, y.grad(), x.grad(), n));
        }
        return y;
    }

    @Override
    public Tensor relu(Tensor xT) {
        CpuTensor x = values(xT, "relu", "x");
        int n = x.data.length;
        float[] out = uninitialized(n);
        ActivationKernels.reluForward(par, x.data, out, n);
        CpuTensor y = result(x.shape, out, x);
        if (y.requiresGrad) {
            tape.record(y, () -> ActivationKernels.reluBackward(par, x.data, y.grad(), x.grad(), n));
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
        float[] out = uninitialized(n);
        byte[] mask = arena == null ? new byte[n] : arena.bytesForOverwrite(n);
        DropoutKernel.forward(par, x.data, out, mask, n, p, nextDropoutSeed());
        CpuTensor y = result(x.shape, out, x);
        if (y.requiresGrad) {
            tape.record(y, () -> DropoutKernel.backward(par, y.grad(), mask, n, p, x.grad()));
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
        float[][] data = new float[parts][];
        for (int p = 0; p < parts; p++) {
            data[p] = uninitialized(rows * w);
            outs[p] = result(outShape, data[p], x);
        }
        par.forRange(rows, 16, (from, to) -> {
            for (int r = from; r < to; r++) {
                for (int p = 0; p < parts; p++) {
                    System.arraycopy(x.data, r * width + p * w, data[p], r * w, w);
                }
            }
        });
        if (outs[0].requiresGrad) {
            // one backward for all parts, after every consumer's: it sets x's gradient in full when nothing has
            // been written there yet (a part no loss depends on contributes zeros)
            tape.record(outs, () -> {
                boolean set = x.gradUnwritten();
                float[] dx = x.gradToSet();
                float[][] dys = new float[parts][];
                for (int p = 0; p < parts; p++) {
                    dys[p] = outs[p].gradOrNull();
                }
                par.forRange(rows, 16, (from, to) -> {
                    for (int r = from; r < to; r++) {
                        for (int p = 0; p < parts; p++) {
                            int xo = r * width + p * w;
                            float[] dy = dys[p];
                            if (dy == null) {
                                if (set) {
                                    java.util.Arrays.fill(dx, xo, xo + w, 0f);
                                }
                            } else if (set) {
                                System.arraycopy(dy, r * w, dx, xo, w);
                            } else {
                                addInto(dy, r * w, dx, xo, w);
                            }
                        }
                    }
                });
            });
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
        float[] out = uninitialized(batch * (ta + tb) * inner);
        for (int i = 0; i < batch; i++) {
            System.arraycopy(a.data, i * ta * inner, out, i * (ta + tb) * inner, ta * inner);
            System.arraycopy(b.data, i * tb * inner, out, (i * (ta + tb) + ta) * inner, tb * inner);
        }
        CpuTensor y = result(Shape.of(dims), out, a, b);
        if (y.requiresGrad) {
            tape.record(y, () -> {
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

    /**
     * {@inheritDoc}
     *
     * <p>In place on this backend (inference): the result is a view of a {@link TimeBuffer} with room to grow, into
     * which the next step's positions are copied; only when it is full (or {@code cache} is an older view of its
     * buffer, or a plain tensor) are the positions moved to a new buffer of twice the length. While training it is
     * {@link #concatTime}.
     */
    @Override
    public Tensor appendTime(Tensor cacheT, Tensor stepT) {
        CpuTensor a = floatsOf(cacheT, "appendTime", "cache");
        CpuTensor b = values(stepT, "appendTime", "step");
        if (tape != null || a.shape.rank() < 2) {
            return concatTime(a.dense(), b);
        }
        int batch = a.shape.dim(0);
        int ta = a.shape.dim(1);
        if (b.shape.rank() != a.shape.rank() || b.shape.dim(0) != batch || !sameInnerAxes(a.shape, b.shape)) {
            throw new ShapeMismatchException("appendTime: " + a.shape + " and " + b.shape
                    + " must agree on every axis but axis 1");
        }
        int tb = b.shape.dim(1);
        int inner = innerSize(a.shape);
        TimeBuffer buf = a.time;
        if (buf == null || buf.filled != ta || ta + tb > buf.capacity) {
            TimeBuffer grown = TimeBuffer.forPositions(batch, ta + tb, inner);
            if (buf != null) {
                grown.append(buf, ta);
            } else {
                grown.append(a.data, ta);
            }
            buf = grown;
        }
        buf.append(b.data, tb);
        int[] dims = a.shape.toArray();
        dims[1] = ta + tb;
        return CpuTensor.timeView(buf, Shape.of(dims));
    }

    /** Product of the axes after the first two. */
    private static int innerSize(Shape s) {
        int n = 1;
        for (int i = 2; i < s.rank(); i++) {
            n *= s.dim(i);
        }
        return n;
    }

    private static boolean sameInnerAxes(Shape a, Shape b) {
        for (int i = 2; i < a.rank(); i++) {
            if (a.dim(i) != b.dim(i)) {
                return false;
            }
        }
        return true;
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
        return attention(qT, kT, vT, heads, heads, causal, maskT, dropout);
    }

    @Override
    public Tensor attention(Tensor qT, Tensor kT, Tensor vT, int heads, int kvHeads, boolean causal, Tensor maskT) {
        return attention(qT, kT, vT, heads, kvHeads, causal, maskT, 0f);
    }

    /** Multi-head ({@code kvHeads == heads}) or grouped-query attention, with dropout on the probabilities. */
    private Tensor attention(Tensor qT, Tensor kT, Tensor vT, int heads, int kvHeads, boolean causal, Tensor maskT,
                             float dropout) {
        if (!(dropout >= 0f && dropout < 1f)) {
            throw new IllegalArgumentException("attention: dropout must be in [0, 1), was " + dropout);
        }
        CpuTensor q = values(qT, "attention", "q");
        // keys and values from a cache are read in place (inference); training sees dense ones
        CpuTensor k = floatsOf(kT, "attention", "k");
        CpuTensor v = floatsOf(vT, "attention", "v");
        if (tape != null || k.bf16 != null || v.bf16 != null || (k.time == null) != (v.time == null)
                || (k.time != null && k.time.capacity != v.time.capacity)) {
            k = k.dense();
            v = v.dense();
        }
        Shape.requireRank("attention", "q", q.shape, 3);
        Shape.requireRank("attention", "k", k.shape, 3);
        Shape.requireEqual("attention", "v", k.shape, v.shape);
        int b = q.shape.dim(0);
        int tq = q.shape.dim(1);
        int c = q.shape.dim(2);
        int tk = k.shape.dim(1);
        if (heads < 1 || c % heads != 0) {
            throw new ShapeMismatchException("attention: width " + c + " does not split into " + heads + " heads");
        }
        if (kvHeads < 1 || heads % kvHeads != 0) {
            throw new ShapeMismatchException("attention: " + kvHeads + " key/value heads do not divide the " + heads
                    + " query heads; each key/value head must serve a whole group of query heads");
        }
        int kc = c / heads * kvHeads;
        if (k.shape.dim(0) != b || k.shape.dim(2) != kc) {
            throw new ShapeMismatchException("attention: q " + q.shape + " and k " + k.shape + " must agree on batch and "
                    + (kvHeads == heads ? "width" : "k's width must be " + kvHeads + " key/value heads of " + c / heads
                    + " = " + kc));
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
        float[] out = uninitialized(b * tq * c); // every (batch row, head) block written by a product with beta 0
        float[] probs = uninitialized(b * heads * tq * tk); // every row written in full, zeros where keys are hidden
        // the mask is a function of this site's seed and the element index: regenerated by the backward, not stored
        DropoutFactors drop = tape != null && dropout > 0f ? DropoutFactors.seeded(nextDropoutSeed(), dropout) : null;
        if (k.time != null) {
            AttentionKernel.forward(par, q.data, k.time.data, v.time.data, k.time.capacity, b, tq, tk, c, heads, kvHeads,
                    causal, mask, out, probs);
            return result(q.shape, out);
        }
        AttentionKernel.forward(par, q.data, k.data, v.data, b, tq, tk, c, heads, kvHeads, causal, mask, out, probs, drop);
        CpuTensor kd = k;
        CpuTensor vd = v;
        CpuTensor y = result(q.shape, out, q, k, v);
        if (y.requiresGrad) {
            int[] maskF = mask;
            tape.record(y, () -> {
                // set rather than add when no gradient was written into any of the three (and they are three tensors)
                boolean set = q != kd && q != vd && kd != vd && settable(q) && settable(kd) && settable(vd);
                AttentionKernel.backward(par, y.grad(), q.data, kd.data, vd.data, probs, b, tq, tk, c, heads, kvHeads,
                        causal, maskF, gradientOrScratch(q, set), gradientOrScratch(kd, set), gradientOrScratch(vd, set),
                        drop, set);
            });
        }
        return y;
    }

    @Override
    public Tensor rmsNorm(Tensor xT, Tensor gT, float eps) {
        CpuTensor x = values(xT, "rmsNorm", "x");
        CpuTensor g = values(gT, "rmsNorm", "gamma");
        requireAxis("rmsNorm", "x", x);
        int c = x.shape.dim(-1);
        Shape.requireEqual("rmsNorm", "gamma", Shape.of(c), g.shape);
        int rows = x.shape.rows();
        float[] out = new float[x.data.length];
        float[] rstd = new float[rows];
        RmsNormKernel.forward(par, x.data, g.data, eps, rows, c, out, rstd);
        CpuTensor y = result(x.shape, out, x, g);
        if (y.requiresGrad) {
            tape.record(y, () -> RmsNormKernel.backward(par, y.grad(), x.data, g.data, rstd, rows, c,
                    gradientOrScratch(x, false), gradientOrScratch(g, false)));
        }
        return y;
    }

    @Override
    public Tensor silu(Tensor xT) {
        CpuTensor x = values(xT, "silu", "x");
        int n = x.data.length;
        float[] out = new float[n];
        ActivationKernels.siluForward(par, x.data, out, n);
        CpuTensor y = result(x.shape, out, x);
        if (y.requiresGrad) {
            tape.record(y, () -> ActivationKernels.siluBackward(par, x.data, y.grad(), x.grad(), n));
        }
        return y;
    }

    @Override
    public Tensor multiply(Tensor aT, Tensor bT) {
        CpuTensor a = values(aT, "multiply", "a");
        CpuTensor b = values(bT, "multiply", "b");
        if (!a.shape.endsWith(b.shape)) {
            throw new ShapeMismatchException("multiply: b " + b.shape + " must equal a " + a.shape + " or its trailing axes");
        }
        int n = a.data.length;
        int inner = b.data.length;
        float[] out = new float[n];
        if (n == 0) {
            return result(a.shape, out, a, b);
        }
        int rows = n / inner;
        ElementwiseKernels.multiply(par, a.data, b.data, rows, inner, out);
        CpuTensor y = result(a.shape, out, a, b);
        if (y.requiresGrad) {
            tape.record(y, () -> {
                float[] dy = y.grad();
                if (a.requiresGrad) {
                    float[] t = new float[n];
                    ElementwiseKernels.multiply(par, dy, b.data, rows, inner, t);
                    ElementwiseKernels.accumulate(par, t, a.grad(), n);
                }
                if (b.requiresGrad) {
                    if (rows == 1) {
                        ElementwiseKernels.accumulateProduct(par, dy, a.data, b.grad(), n);
                    } else {
                        float[] t = new float[n];
                        ElementwiseKernels.accumulateProduct(par, dy, a.data, t, n);
                        ElementwiseKernels.sumRows(par, t, rows, inner, b.grad());
                    }
                }
            });
        }
        return y;
    }

    @Override
    public Tensor rotary(Tensor xT, Tensor cosT, Tensor sinT, int heads) {
        CpuTensor x = values(xT, "rotary", "x");
        CpuTensor cos = values(cosT, "rotary", "cos");
        CpuTensor sin = values(sinT, "rotary", "sin");
        Shape.requireRank("rotary", "x", x.shape, 3);
        int b = x.shape.dim(0);
        int t = x.shape.dim(1);
        int c = x.shape.dim(2);
        if (heads < 1 || c % heads != 0 || (c / heads) % 2 != 0) {
            throw new ShapeMismatchException("rotary: width " + c + " of x " + x.shape + " does not split into " + heads
                    + " heads of an even width");
        }
        int d = c / heads / 2;
        Shape.requireEqual("rotary", "sin (the shape of cos)", cos.shape, sin.shape);
        int tableRows;
        if (cos.shape.equals(Shape.of(b, t, d))) {
            tableRows = b * t;
        } else if (cos.shape.equals(Shape.of(t, d))) {
            tableRows = t;
        } else {
            throw new ShapeMismatchException("rotary: cos " + cos.shape + " must be [" + b + ", " + t + ", " + d + "] or ["
                    + t + ", " + d + "] for x " + x.shape + " with " + heads + " heads");
        }
        int rows = b * t;
        float[] out = new float[x.data.length];
        if (rows == 0) {
            return result(x.shape, out, x, cos, sin);
        }
        RotaryKernel.forward(par, x.data, cos.data, sin.data, rows, heads, d, tableRows, out);
        CpuTensor y = result(x.shape, out, x, cos, sin);
        if (y.requiresGrad) {
            tape.record(y, () -> RotaryKernel.backward(par, y.grad(), x.data, cos.data, sin.data, rows, heads, d, tableRows,
                    x.requiresGrad ? x.grad() : null, cos.requiresGrad ? cos.grad() : null,
                    sin.requiresGrad ? sin.grad() : null));
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
            tape.record(y, () -> CrossEntropyKernel.backward(par, logits.data, targets.ids, n, vocab, ignoreIndex,
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
