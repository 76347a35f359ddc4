package org.transformer4j.onnx.export;

import static org.transformer4j.onnx.export.OnnxGraph.attr;
import static org.transformer4j.onnx.export.OnnxGraph.attrInts;
import static org.transformer4j.onnx.export.OnnxGraph.in;

import ai.onnx.proto.OnnxMl.TensorProto;
import java.util.HashMap;
import java.util.Map;
import org.transformer4j.nn.Ops;
import org.transformer4j.nn.layers.PositionalEncoding;
import org.transformer4j.nn.layers.RotaryEmbedding;
import org.transformer4j.tensor.DType;
import org.transformer4j.tensor.HostTensor;
import org.transformer4j.tensor.Shape;
import org.transformer4j.tensor.ShapeMismatchException;
import org.transformer4j.tensor.Tensor;

/**
 * {@link Ops} whose tensors are {@link SymbolicTensor}s and whose every call appends ONNX nodes (opset 17) to a
 * graph: running a model's composition once through these ops writes the model as an ONNX graph. Inference only
 * (no dropout, no loss).
 *
 * <p>The composition makes the positions of the tokens it runs with {@link #constant}: position ids
 * {@code offset .. offset+T-1} (learned positions) or the matching rows of the sinusoid table. Those depend on
 * the trace's sizes, so {@link #bindPositions} names a graph value that computes the position ids at run time;
 * a constant equal to the trace's positions is replaced by it (or by a lookup of it in the sinusoid table, or by
 * the rotary cosines and sines computed from it, {@link #bindRotary}). Any other constant fails the export rather
 * than being frozen at the trace's sizes.
 *
 * <p>Key/value caches are graph values laid out {@code [B, heads, T, d]} (Optimum's {@code past_key_values}) while the
 * composition sees them as {@code [B, T, heads · d]}: {@link #concatTime} and {@link #attention} use that layout
 * directly, any other op gets the value transposed back.
 */
public final class OnnxExportOps implements Ops {
    /** The masked-out attention score: the lowest finite float, so a row with no visible key stays finite. */
    private static final float MASKED = -Float.MAX_VALUE;

    private final OnnxGraph g;
    private final Map<String, String> transposed = new HashMap<>();
    private final Map<String, String> dims = new HashMap<>();
    private final Map<String, String> sums = new HashMap<>();
    private final Map<String, String> masks = new HashMap<>();
    private final Map<String, String> plainOf = new HashMap<>();
    private final Map<String, String> headsOf = new HashMap<>();
    private Positions positions;
    private RotaryEmbedding rope;
    private String angles;
    private boolean sinusoidsAdded;
    private int positionUses;

    private record Positions(int offset, int length, SymbolicTensor ids, int context, int dim) {
    }

    OnnxExportOps(OnnxGraph graph) {
        this.g = graph;
    }

    /**
     * Says that in this trace the composition's positions are {@code offset .. offset+length-1} and that the graph
     * computes them at run time as {@code positionIds} (int64 {@code [length]}, or {@code [batch, length]} for
     * per-row positions: the trace then sees {@code [length]} and the lookups give {@code [batch, length, dim]} at
     * run time, which the composition's Add with the embeddings broadcasts alike); sinusoidal positions are looked
     * up in the {@code [context, dim]} sinusoid table.
     */
    void bindPositions(int offset, int length, SymbolicTensor positionIds, int context, int dim) {
        positions = new Positions(offset, length, positionIds, context, dim);
        positionUses = 0;
        angles = null;
    }

    /** How many constants were replaced by the bound positions since {@link #bindPositions}. */
    int positionUses() {
        return positionUses;
    }

    SymbolicTensor sym(String name, DType dtype, Shape shape) {
        return new SymbolicTensor(name, dtype, shape);
    }

    SymbolicTensor sym(String name, DType dtype, Shape shape, String[] dimValues) {
        return new SymbolicTensor(name, dtype, shape, dimValues);
    }

    /** {@code dims} with its last entry replaced by {@code last}. */
    private static String[] withLast(String[] dims, String last) {
        String[] d = dims.clone();
        d[d.length - 1] = last;
        return d;
    }

    /** {@code t} as a graph value in the layout of its shape ({@code [B, heads, T, d]} values are transposed back). */
    private SymbolicTensor s(Tensor t, String op, String what) {
        SymbolicTensor st = raw(t, op, what);
        return st.heads() == 0 ? st : plain(st);
    }

    /** {@code [B, heads, T, d]} to {@code [B, T, heads · d]} (computed once per value). */
    private SymbolicTensor plain(SymbolicTensor t) {
        String name = plainOf.computeIfAbsent(t.name(), n -> g.node("Reshape", in(g.node("Transpose", in(n),
                attrInts("perm", 0, 2, 1, 3)), g.ints(0, 0, t.shape().dim(2)))));
        return sym(name, t.dtype(), t.shape(), t.dimValues());
    }

    /** {@code t} ({@code [B, T, heads · d]}) laid out {@code [B, heads, T, d]}: the graph value for attention and caches. */
    private String headsOf(SymbolicTensor t, int heads) {
        if (t.heads() == heads) {
            return t.name();
        }
        SymbolicTensor p = t.heads() == 0 ? t : plain(t);
        int d = p.shape().dim(2) / heads;
        return headsOf.computeIfAbsent(p.name() + "/" + heads, k -> g.node("Transpose", in(g.node("Reshape",
                in(p.name(), g.ints(0, 0, heads, d)))), attrInts("perm", 0, 2, 1, 3)));
    }

    private static SymbolicTensor raw(Tensor t, String op, String what) {
        if (t instanceof SymbolicTensor st) {
            return st;
        }
        throw new IllegalArgumentException("ONNX export: " + op + " got " + what + " " + t.shape()
                + " of type " + t.getClass().getName() + ", not a tensor of the graph being exported; use only "
                + "tensors from these ops and the export's parameters");
    }

    @Override
    public boolean training() {
        return false;
    }

    @Override
    public Tensor constant(HostTensor value) {
        Positions p = positions;
        if (p != null && value.dtype() == DType.INT32 && value.shape().equals(Shape.of(p.length))
                && isRange(value.ints(), p.offset)) {
            positionUses++;
            return p.ids;
        }
        if (p != null && value.dtype() == DType.FLOAT32 && value.shape().equals(Shape.of(p.length, p.dim))) {
            float[] table = PositionalEncoding.table(p.context, p.dim);
            if (java.util.Arrays.equals(value.floats(), 0, p.length * p.dim,
                    table, p.offset * p.dim, (p.offset + p.length) * p.dim)) {
                String tableName = sinusoidTable(p, table);
                positionUses++;
                return sym(g.node("Gather", in(tableName, p.ids.name()), attr("axis", 0L)), DType.FLOAT32, value.shape(),
                        new String[] {p.ids.dimValue(0), null});
            }
        }
        if (p != null && rope != null && value.dtype() == DType.FLOAT32
                && value.shape().equals(Shape.of(p.length, rope.headDim() / 2))) {
            HostTensor[] tables = rope.hostTables(RotaryEmbedding.range(p.offset, p.length), p.length);
            for (int i = 0; i < 2; i++) {
                if (java.util.Arrays.equals(value.floats(), tables[i].floats())) {
                    positionUses++;
                    String table = g.node(i == 0 ? "Cos" : "Sin", in(angles()));
                    return sym(table, DType.FLOAT32, value.shape(), new String[] {p.ids.dimValue(0), null});
                }
            }
        }
        throw new UnsupportedOperationException("ONNX export: the composition made a constant " + value
                + " that is not the positions of its tokens; it would be frozen at the trace's sizes. "
                + "Pass it as a weight (Parameters) or extend OnnxExportOps to compute it in the graph");
    }

    /**
     * Says that the composition's rotary tables come from {@code rotary}: a constant equal to the cosine or sine
     * table of the bound positions becomes {@code Cos} or {@code Sin} of {@code position_ids · inverse frequencies}
     * (a float32 product, as HF's {@code inv_freq @ position_ids}), computed in the graph.
     */
    void bindRotary(RotaryEmbedding rotary) {
        this.rope = rotary;
    }

    /** The rotary angles {@code [..., headDim/2]} of the bound positions (computed once). */
    private String angles() {
        if (angles == null) {
            String inv = "rotary.inv_freq";
            float[] f = rope.inverseFrequencies();
            g.initializer(inv, HostTensor.ofFloats(Shape.of(f.length), f));
            String pos = g.node("Unsqueeze", in(g.node("Cast", in(positions.ids.name()),
                    attr("to", (long) TensorProto.DataType.FLOAT_VALUE)), g.ints(-1)));
            angles = g.node("Mul", in(pos, inv));
        }
        return angles;
    }

    private String sinusoidTable(Positions p, float[] table) {
        String name = "positional_encoding.sinusoids";
        if (!sinusoidsAdded) {
            g.initializer(name, HostTensor.ofFloats(Shape.of(p.context, p.dim), table));
            sinusoidsAdded = true;
        }
        return name;
    }

    private static boolean isRange(int[] v, int offset) {
        for (int i = 0; i < v.length; i++) {
            if (v[i] != offset + i) {
                return false;
            }
        }
        return true;
    }

    @Override
    public Tensor embedding(Tensor table, Tensor ids) {
        SymbolicTensor t = s(table, "embedding", "table");
        SymbolicTensor i = s(ids, "embedding", "ids");
        Shape.requireRank("embedding", "table", t.shape(), 2);
        if (!i.dtype().isInteger()) {
            throw new IllegalArgumentException("embedding: ids " + i.shape() + " must be integers but are " + i.dtype());
        }
        int[] out = java.util.Arrays.copyOf(i.shape().toArray(), i.shape().rank() + 1);
        out[out.length - 1] = t.shape().dim(1);
        String[] dv = java.util.Arrays.copyOf(i.dimValues(), out.length);
        return sym(g.node("Gather", in(t.name(), i.name()), attr("axis", 0L)), DType.FLOAT32, Shape.of(out), dv);
    }

    @Override
    public Tensor linear(Tensor x, Tensor weight, Tensor bias) {
        SymbolicTensor sx = s(x, "linear", "x");
        SymbolicTensor w = s(weight, "linear", "weight");
        Shape.requireRank("linear", "weight", w.shape(), 2);
        int out = w.shape().dim(0);
        int inDim = w.shape().dim(1);
        if (sx.shape().rank() == 0 || sx.shape().dim(-1) != inDim) {
            throw new ShapeMismatchException("linear: x " + sx.shape() + " must end with the weight's input width "
                    + inDim + " (weight " + w.shape() + ")");
        }
        String wt = transposed.computeIfAbsent(w.name(), n -> g.node("Transpose", in(n), attrInts("perm", 1, 0)));
        String y = g.node("MatMul", in(sx.name(), wt));
        if (bias != null) {
            SymbolicTensor b = s(bias, "linear", "bias");
            Shape.requireEqual("linear", "bias", Shape.of(out), b.shape());
            y = g.node("Add", in(y, b.name()));
        }
        return sym(y, DType.FLOAT32, sx.shape().withLast(out), withLast(sx.dimValues(), null));
    }

    @Override
    public Tensor layerNorm(Tensor x, Tensor gamma, Tensor beta, float eps) {
        SymbolicTensor sx = s(x, "layerNorm", "x");
        SymbolicTensor gm = s(gamma, "layerNorm", "gamma");
        Shape.requireEqual("layerNorm", "gamma", Shape.of(sx.shape().dim(-1)), gm.shape());
        var inputs = in(sx.name(), gm.name());
        if (beta != null) {
            SymbolicTensor b = s(beta, "layerNorm", "beta");
            Shape.requireEqual("layerNorm", "beta", gm.shape(), b.shape());
            inputs.add(b.name());
        }
        return sym(g.node("LayerNormalization", inputs, attr("axis", -1L), attr("epsilon", eps)), DType.FLOAT32, sx.shape(),
                sx.dimValues());
    }

    @Override
    public Tensor add(Tensor a, Tensor b) {
        return broadcast("add", "Add", a, b);
    }

    /** {@code a (onnxOp) b} where {@code b} has {@code a}'s shape or that of its trailing axes (ONNX broadcasting). */
    private Tensor broadcast(String op, String onnxOp, Tensor a, Tensor b) {
        SymbolicTensor sa = s(a, op, "a");
        SymbolicTensor sb = s(b, op, "b");
        if (!sa.shape().endsWith(sb.shape())) {
            throw new ShapeMismatchException(op + ": b " + sb.shape() + " must have the shape of a " + sa.shape()
                    + " or of its trailing axes");
        }
        return sym(g.node(onnxOp, in(sa.name(), sb.name())), DType.FLOAT32, sa.shape(), sa.dimValues());
    }

    @Override
    public Tensor scale(Tensor x, float factor) {
        SymbolicTensor sx = s(x, "scale", "x");
        return sym(g.node("Mul", in(sx.name(), g.scalarFloat(factor))), DType.FLOAT32, sx.shape(), sx.dimValues());
    }

    @Override
    public Tensor gelu(Tensor x) {
        // (x * (1 + erf(x / sqrt(2)))) * 0.5: the exact form (GELU is an operator only from opset 20), written
        // as the pattern ONNX Runtime's GELU fusion recognizes (Div, Erf, Add, Mul, Mul)
        SymbolicTensor sx = s(x, "gelu", "x");
        String e = g.node("Erf", in(g.node("Div", in(sx.name(), g.scalarFloat((float) Math.sqrt(2))))));
        String y = g.node("Mul", in(sx.name(), g.node("Add", in(e, g.scalarFloat(1f)))));
        return sym(g.node("Mul", in(y, g.scalarFloat(0.5f))), DType.FLOAT32, sx.shape(), sx.dimValues());
    }

    @Override
    public Tensor geluTanh(Tensor x) {
        // 0.5 * x * (1 + tanh(sqrt(2/pi) * (x + 0.044715 * x^3))), as PyTorch exports nn.GELU(approximate="tanh")
        // below opset 20 (ONNX Runtime fuses this pattern into FastGelu)
        SymbolicTensor sx = s(x, "geluTanh", "x");
        String cube = g.node("Mul", in(sx.name(), g.node("Mul", in(sx.name(), sx.name()))));
        String inner = g.node("Add", in(sx.name(), g.node("Mul", in(cube, g.scalarFloat(0.044715f)))));
        String t = g.node("Tanh", in(g.node("Mul", in(inner, g.scalarFloat((float) Math.sqrt(2 / Math.PI))))));
        String y = g.node("Mul", in(sx.name(), g.node("Add", in(t, g.scalarFloat(1f)))));
        return sym(g.node("Mul", in(y, g.scalarFloat(0.5f))), DType.FLOAT32, sx.shape(), sx.dimValues());
    }

    @Override
    public Tensor relu(Tensor x) {
        SymbolicTensor sx = s(x, "relu", "x");
        return sym(g.node("Relu", in(sx.name())), DType.FLOAT32, sx.shape(), sx.dimValues());
    }

    @Override
    public Tensor dropout(Tensor x, float p) {
        return s(x, "dropout", "x");
    }

    @Override
    public Tensor[] split(Tensor x, int parts) {
        SymbolicTensor sx = s(x, "split", "x");
        int last = sx.shape().dim(-1);
        if (parts <= 0 || last % parts != 0) {
            throw new ShapeMismatchException("split: the last axis of " + sx.shape() + " does not split into " + parts
                    + " equal parts");
        }
        long[] sizes = new long[parts];
        java.util.Arrays.fill(sizes, last / parts);
        String[] outs = g.nodeN("Split", in(sx.name(), g.ints(sizes)), parts, attr("axis", -1L));
        Tensor[] result = new Tensor[parts];
        for (int i = 0; i < parts; i++) {
            result[i] = sym(outs[i], DType.FLOAT32, sx.shape().withLast(last / parts), sx.dimValues());
        }
        return result;
    }

    /**
     * {@inheritDoc}
     *
     * <p>When {@code a} is laid out {@code [B, heads, T, d]} (a key/value cache), so is the result: {@code b} is
     * brought to that layout and joined along the positions, as Optimum's graphs grow their {@code present} values.
     */
    @Override
    public Tensor concatTime(Tensor a, Tensor b) {
        SymbolicTensor ra = raw(a, "concatTime", "a");
        int heads = ra.heads();
        SymbolicTensor sa = heads == 0 ? ra : plainShape(ra);
        SymbolicTensor sb = heads == 0 ? s(b, "concatTime", "b") : raw(b, "concatTime", "b");
        int[] da = sa.shape().toArray();
        int[] db = sb.shape().toArray();
        if (da.length < 2 || da.length != db.length) {
            throw new ShapeMismatchException("concatTime: " + sa.shape() + " and " + sb.shape() + " cannot be joined along axis 1");
        }
        for (int i = 0; i < da.length; i++) {
            if (i != 1 && da[i] != db[i]) {
                throw new ShapeMismatchException("concatTime: " + sa.shape() + " and " + sb.shape() + " differ outside axis 1");
            }
        }
        da[1] += db[1];
        String[] dv = sa.dimValues();
        dv[1] = sum(dim(ra, 1), dim(sb, 1));
        if (heads > 0) {
            String joined = g.node("Concat", in(ra.name(), headsOf(sb, heads)), attr("axis", 2L));
            return new SymbolicTensor(joined, DType.FLOAT32, Shape.of(da), dv, heads);
        }
        return sym(g.node("Concat", in(sa.name(), sb.name()), attr("axis", 1L)), DType.FLOAT32, Shape.of(da), dv);
    }

    /** A heads-layout tensor's trace view (for shape checks only: its name is the {@code [B, heads, T, d]} value). */
    private static SymbolicTensor plainShape(SymbolicTensor t) {
        return new SymbolicTensor(t.name(), t.dtype(), t.shape(), t.dimValues());
    }

    @Override
    public Tensor attention(Tensor q, Tensor k, Tensor v, int heads, boolean causal, Tensor keyMask) {
        return attention(q, k, v, heads, heads, causal, keyMask);
    }

    /**
     * {@inheritDoc}
     *
     * <p>Keys and values laid out {@code [B, kvHeads, T, d]} (caches) are used as they are. With
     * {@code kvHeads < heads} the queries are grouped {@code [B, kvHeads, heads/kvHeads, Tq, d]} and multiplied with
     * each key/value head broadcast over its group (HF's {@code repeat_kv} without copying the cache).
     */
    @Override
    public Tensor attention(Tensor q, Tensor k, Tensor v, int heads, int kvHeads, boolean causal, Tensor keyMask) {
        SymbolicTensor sq = s(q, "attention", "q");
        SymbolicTensor sk = raw(k, "attention", "k");
        SymbolicTensor sv = raw(v, "attention", "v");
        Shape.requireRank("attention", "q", sq.shape(), 3);
        Shape.requireRank("attention", "k", sk.shape(), 3);
        Shape.requireEqual("attention", "v (as k)", sk.shape(), sv.shape());
        int c = sq.shape().dim(2);
        if (heads <= 0 || c % heads != 0) {
            throw new ShapeMismatchException("attention: " + heads + " heads do not divide the width " + c);
        }
        int d = c / heads;
        if (kvHeads <= 0 || heads % kvHeads != 0) {
            throw new ShapeMismatchException("attention: " + kvHeads + " key/value heads do not divide " + heads + " heads");
        }
        if (sk.shape().dim(0) != sq.shape().dim(0) || sk.shape().dim(2) != kvHeads * d) {
            throw new ShapeMismatchException("attention: k " + sk.shape() + " does not match q " + sq.shape() + " with "
                    + heads + " heads and " + kvHeads + " key/value heads");
        }
        String qh = headsOf(sq, heads);
        String kt = g.node("Transpose", in(headsOf(sk, kvHeads)), attrInts("perm", 0, 1, 3, 2));
        String vh = headsOf(sv, kvHeads);
        int groups = heads / kvHeads;
        if (groups > 1) {
            qh = g.node("Reshape", in(qh, g.ints(0, kvHeads, groups, -1, d)));
            kt = g.node("Unsqueeze", in(kt, g.ints(2)));
            vh = g.node("Unsqueeze", in(vh, g.ints(2)));
        }
        String scores = g.node("Mul", in(g.node("MatMul", in(qh, kt)), g.scalarFloat((float) (1 / Math.sqrt(d)))));
        String allowed = visibility(sq, sk, causal, keyMask == null ? null : s(keyMask, "attention", "keyMask"));
        if (allowed != null && groups > 1 && keyMask != null) {
            // [B, 1, Tq, Tk] to [B, 1, 1, Tq, Tk] for the grouped scores
            String key = allowed + "/5d";
            String a = allowed;
            allowed = masks.computeIfAbsent(key, x -> g.node("Unsqueeze", in(a, g.ints(1))));
        }
        if (allowed != null) {
            scores = g.node("Where", in(allowed, scores, g.scalarFloat(MASKED)));
        }
        String probs = g.node("Softmax", in(scores), attr("axis", -1L));
        if (allowed != null) {
            // a query with no visible key gets zero weights (and a zero output), as the reference does
            probs = g.node("Where", in(allowed, probs, g.scalarFloat(0f)));
        }
        String out = g.node("MatMul", in(probs, vh));
        if (groups > 1) {
            out = g.node("Reshape", in(out, g.ints(0, heads, -1, d)));
        }
        out = g.node("Transpose", in(out), attrInts("perm", 0, 2, 1, 3));
        return sym(g.node("Reshape", in(out, g.ints(0, 0, c))), DType.FLOAT32, sq.shape(), sq.dimValues());
    }

    /**
     * The boolean {@code [Tq, Tk]} or {@code [B, 1, Tq, Tk]} mask of the keys each query may see, or null when all
     * are visible. Computed once per distinct (query length, key length, key mask): the layers of a model share it.
     */
    private String visibility(SymbolicTensor q, SymbolicTensor k, boolean causal, SymbolicTensor keyMask) {
        if (keyMask != null) {
            Shape.requireEqual("attention", "keyMask", Shape.of(k.shape().dim(0), k.shape().dim(1)), keyMask.shape());
        } else if (!causal) {
            return null;
        }
        String tq = dim(q, 1);
        String tk = dim(k, 1);
        String key = causal + " " + tq + " " + tk + " " + (keyMask == null ? null : keyMask.name());
        String cached = masks.get(key);
        if (cached != null || masks.containsKey(key)) {
            return cached;
        }
        String allowed = null;
        if (causal) {
            // query i sits at absolute position Tk - Tq + i and sees keys j <= that position
            String one = g.scalarLong(1);
            String qPos = g.node("Unsqueeze", in(g.node("Range", in(g.node("Sub", in(tk, tq)), tk, one)), g.ints(1)));
            String kPos = g.node("Range", in(g.scalarLong(0), tk, one));
            allowed = g.node("LessOrEqual", in(kPos, qPos));
        }
        if (keyMask != null) {
            String visible = g.node("Unsqueeze", in(g.node("Cast", in(keyMask.name()),
                    attr("to", (long) TensorProto.DataType.BOOL_VALUE)), g.ints(1, 2)));
            allowed = allowed == null ? visible : g.node("And", in(allowed, visible));
        }
        masks.put(key, allowed);
        return allowed;
    }

    /** The run-time size of {@code axis} of {@code t}: its tracked value, or one computed from its shape. */
    String dim(SymbolicTensor t, int axis) {
        String known = t.dimValue(axis);
        if (known != null) {
            return known;
        }
        // a [B, heads, T, d] value holds the trace's axis 1 (positions) at its axis 2
        return dim(t.name(), t.heads() > 0 && axis == 1 ? 2 : axis);
    }

    /** {@code a + b} for int64 scalars, computed once per pair. */
    String sum(String a, String b) {
        return sums.computeIfAbsent(a + "+" + b, key -> g.node("Add", in(a, b)));
    }

    /** The size of {@code axis} of {@code value} as an int64 scalar (computed once per value and axis). */
    String dim(String value, int axis) {
        return dims.computeIfAbsent(value + "#" + axis, key -> g.node("Squeeze",
                in(g.node("Shape", in(value), attr("start", (long) axis), attr("end", (long) axis + 1)), g.ints(0))));
    }

    /** {@inheritDoc} As HF's {@code LlamaRMSNorm} in float32: {@code x / sqrt(mean(x²) + eps) · gamma}. */
    @Override
    public Tensor rmsNorm(Tensor x, Tensor gamma, float eps) {
        SymbolicTensor sx = s(x, "rmsNorm", "x");
        SymbolicTensor gm = s(gamma, "rmsNorm", "gamma");
        Shape.requireEqual("rmsNorm", "gamma", Shape.of(sx.shape().dim(-1)), gm.shape());
        String meanSquare = g.node("ReduceMean", in(g.node("Mul", in(sx.name(), sx.name()))), attrInts("axes", -1),
                attr("keepdims", 1L));
        String rms = g.node("Sqrt", in(g.node("Add", in(meanSquare, g.scalarFloat(eps)))));
        return sym(g.node("Mul", in(g.node("Div", in(sx.name(), rms)), gm.name())), DType.FLOAT32, sx.shape(),
                sx.dimValues());
    }

    @Override
    public Tensor silu(Tensor x) {
        SymbolicTensor sx = s(x, "silu", "x");
        return sym(g.node("Mul", in(sx.name(), g.node("Sigmoid", in(sx.name())))), DType.FLOAT32, sx.shape(),
                sx.dimValues());
    }

    @Override
    public Tensor multiply(Tensor a, Tensor b) {
        return broadcast("multiply", "Mul", a, b);
    }

    /**
     * {@inheritDoc}
     *
     * <p>The tables may be {@code [T, d]} or {@code [B, T, d]} at run time (the trace's tables of its positions
     * become the lookups of the {@code position_ids} input): they are broadcast over the heads.
     */
    @Override
    public Tensor rotary(Tensor x, Tensor cos, Tensor sin, int heads) {
        SymbolicTensor sx = s(x, "rotary", "x");
        SymbolicTensor c = s(cos, "rotary", "cos");
        SymbolicTensor sn = s(sin, "rotary", "sin");
        Shape.requireRank("rotary", "x", sx.shape(), 3);
        int width = sx.shape().dim(2);
        if (heads <= 0 || width % heads != 0 || (width / heads) % 2 != 0) {
            throw new ShapeMismatchException("rotary: " + heads + " heads of even width do not divide " + sx.shape());
        }
        int d = width / heads;
        if (c.shape().dim(-1) != d / 2 || !c.shape().equals(sn.shape())) {
            throw new ShapeMismatchException("rotary: tables cos " + c.shape() + " and sin " + sn.shape() + " must end "
                    + "with half the head width " + d / 2);
        }
        String xh = g.node("Reshape", in(sx.name(), g.ints(0, 0, heads, d)));
        String[] halves = g.nodeN("Split", in(xh, g.ints(d / 2, d / 2)), 2, attr("axis", -1L));
        String cu = g.node("Unsqueeze", in(c.name(), g.ints(-2)));
        String su = g.node("Unsqueeze", in(sn.name(), g.ints(-2)));
        String y1 = g.node("Sub", in(g.node("Mul", in(halves[0], cu)), g.node("Mul", in(halves[1], su))));
        String y2 = g.node("Add", in(g.node("Mul", in(halves[1], cu)), g.node("Mul", in(halves[0], su))));
        String y = g.node("Concat", in(y1, y2), attr("axis", -1L));
        return sym(g.node("Reshape", in(y, g.ints(0, 0, width))), DType.FLOAT32, sx.shape(), sx.dimValues());
    }

    @Override
    public Tensor crossEntropy(Tensor logits, Tensor targets, int ignoreIndex) {
        throw new UnsupportedOperationException("ONNX export writes inference graphs: crossEntropy (the training loss) "
                + "has no place in them; train on the cpu or tensorflow backend");
    }
}
