package org.transformer4j.tensorflow;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.op.Op;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.VarHandleOp;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.transformer4j.data.Batch;
import org.transformer4j.nn.ParameterSpec;
import org.transformer4j.nn.Parameters;
import org.transformer4j.nn.TrainableModel;
import org.transformer4j.tensor.DType;
import org.transformer4j.tensor.HostTensor;
import org.transformer4j.tensor.Shape;
import org.transformer4j.tensor.ShapeMismatchException;
import org.transformer4j.tensor.Tensor;
import org.transformer4j.train.AdamWStep;
import org.transformer4j.train.OptimizerState;
import org.transformer4j.train.TrainingProgram;

/**
 * Trains a model in one TensorFlow graph. Each parameter has four resource variables: the weight, AdamW's two moments
 * and the accumulated gradient. The model's loss is traced once per batch signature (input names, dtypes and shapes;
 * training or evaluation) with placeholders for the batch; {@code Graph.addGradients} differentiates it with respect
 * to the weights' reads, and each {@link #forwardBackward} is one session run that returns the loss and adds the
 * gradients into their variables. The global gradient norm is computed in the graph (in float64). {@link #step}
 * applies AdamW written with plain math ops, exactly as {@link AdamWStep} defines it (the decoupled decay only on
 * parameters whose {@link ParameterSpec#decay()} is true), then zeroes the gradients after every update has read them
 * (explicit control dependencies). Nothing in the graph is unordered or stateful-random, so the same seed gives the
 * same losses run after run. For data-parallel replicas, {@link #readGradients} fetches the gradient variables and
 * {@link #writeGradients} assigns them (the all-reduced mean) before the norm and the step read them. A model's
 * {@link TrainableModel#frozenWeights() frozen weights} get one variable each, uploaded once; traces read them, and
 * the gradients are taken only with respect to the trained weights.
 */
final class TfTrainingProgram implements TrainingProgram {
    private final TrainableModel model;
    private final long seed;
    private final List<ParameterSpec> specs;
    private final Graph graph;
    private final Session session;
    private final org.tensorflow.op.Ops tf;
    private final Map<String, Slot> slots = new LinkedHashMap<>();
    /** The model's frozen weights: one variable each, uploaded once, read by the traces, never differentiated. */
    private final Map<String, Frozen> frozen = new LinkedHashMap<>();
    private final Map<String, Trace> traces = new HashMap<>();
    private final Op zeroGradients;
    private final Op restoreAll;
    private final Operand<TFloat64> gradientNorm;
    private final StepGraph stepGraph;
    private GradientWrite gradientWrite;
    private long step;
    private int microBatch;
    private boolean closed;

    /** The variables of one parameter, with their reads and the placeholders that restore them. */
    private record Slot(ParameterSpec spec, Operand<?> weight, Operand<?> m, Operand<?> v, Operand<?> grad,
                        Operand<TFloat32> readWeight, Operand<TFloat32> readM, Operand<TFloat32> readV,
                        Operand<TFloat32> readGrad, Placeholder<TFloat32> newWeight, Placeholder<TFloat32> newM,
                        Placeholder<TFloat32> newV) {
    }

    /** A frozen weight's variable and the shape it holds. */
    private record Frozen(Operand<?> variable, Shape shape) {
    }

    /** One traced loss: its batch placeholders, the loss, the gradient accumulation (training only), the id checks. */
    private record Trace(Map<String, Placeholder<?>> inputs, Placeholder<TInt64> seed, Operand<TFloat32> loss,
                         Op accumulate, List<TfGraphOps.IdCheck> idChecks) {
    }

    /** The AdamW update's scalar inputs and the op that applies it to every parameter and zeroes the gradients. */
    private record StepGraph(Placeholder<TFloat32> lr, Placeholder<TFloat32> beta1, Placeholder<TFloat32> beta2,
                             Placeholder<TFloat32> oneMinusBeta1, Placeholder<TFloat32> oneMinusBeta2,
                             Placeholder<TFloat32> eps, Placeholder<TFloat32> decay, Placeholder<TFloat32> gradScale,
                             Placeholder<TFloat32> c1, Placeholder<TFloat32> c2, Op apply) {
    }

    TfTrainingProgram(TrainableModel model, Map<String, HostTensor> weights, TfDevice device, long seed) {
        this.model = model;
        this.seed = seed;
        this.specs = List.copyOf(model.parameterSpecs());
        for (ParameterSpec spec : specs) {
            HostTensor w = weights.get(spec.name());
            if (w == null) {
                throw new IllegalArgumentException("missing weight '" + spec.name() + "' " + spec.shape()
                        + " for this model; the weights given have " + weights.size() + " entries");
            }
            Shape.requireEqual("training", "weight " + spec.name(), spec.shape(), w.shape());
        }
        this.graph = new Graph();
        Session s = null;
        try {
            this.tf = device.scope(org.tensorflow.op.Ops.create(graph));
            List<Op> restores = new ArrayList<>();
            List<Op> zeros = new ArrayList<>();
            List<Operand<TFloat64>> squares = new ArrayList<>();
            int index = 0;
            for (ParameterSpec spec : specs) {
                org.tensorflow.ndarray.Shape shape = TfTensors.shape(spec.shape());
                String base = "p" + (index++);
                Operand<?> w = variable(base + "_weight", shape);
                Operand<?> m = variable(base + "_m", shape);
                Operand<?> v = variable(base + "_v", shape);
                Operand<?> g = variable(base + "_grad", shape);
                Slot slot = new Slot(spec, w, m, v, g, read(w), read(m), read(v), read(g),
                        tf.placeholder(TFloat32.class, Placeholder.shape(shape)),
                        tf.placeholder(TFloat32.class, Placeholder.shape(shape)),
                        tf.placeholder(TFloat32.class, Placeholder.shape(shape)));
                slots.put(spec.name(), slot);
                Op zero = tf.assignVariableOp(g, tf.zeros(tf.constant(shape), TFloat32.class));
                zeros.add(zero);
                restores.add(tf.assignVariableOp(w, slot.newWeight()));
                restores.add(tf.assignVariableOp(m, slot.newM()));
                restores.add(tf.assignVariableOp(v, slot.newV()));
                restores.add(zero);
                Operand<TFloat64> g64 = tf.dtypes.cast(slot.readGrad(), TFloat64.class);
                squares.add(tf.reduceSum(tf.math.mul(g64, g64), allAxes(spec.shape().rank())));
            }
            List<Op> uploads = new ArrayList<>();
            List<Placeholder<TFloat32>> uploadInputs = new ArrayList<>();
            for (var e : model.frozenWeights().entrySet()) {
                if (slots.containsKey(e.getKey())) {
                    throw new IllegalArgumentException("weight '" + e.getKey() + "' is declared both trained and frozen");
                }
                org.tensorflow.ndarray.Shape shape = TfTensors.shape(e.getValue().shape());
                Operand<?> var = variable("f" + frozen.size() + "_frozen", shape);
                Placeholder<TFloat32> in = tf.placeholder(TFloat32.class, Placeholder.shape(shape));
                uploads.add(tf.assignVariableOp(var, in));
                uploadInputs.add(in);
                frozen.put(e.getKey(), new Frozen(var, e.getValue().shape()));
            }
            this.zeroGradients = tf.withControlDependencies(zeros).noOp();
            this.restoreAll = tf.withControlDependencies(restores).noOp();
            this.gradientNorm = squares.isEmpty() ? tf.constant(0.0) : tf.math.sqrt(tf.math.addN(squares));
            this.stepGraph = buildStep();
            s = device.newSession(graph);
            this.session = s;
            Map<String, HostTensor> zerosHost = new HashMap<>();
            for (ParameterSpec spec : specs) {
                zerosHost.put(spec.name(), HostTensor.zeros(spec.shape()));
            }
            assign(weights, zerosHost, zerosHost);
            uploadFrozen(uploads, uploadInputs);
        } catch (RuntimeException | Error e) {
            if (s != null) {
                s.close();
            }
            graph.close();
            throw e;
        }
    }

    /** Sets every frozen variable from the model's host arrays, once (one run per weight: no second host copy). */
    private void uploadFrozen(List<Op> uploads, List<Placeholder<TFloat32>> inputs) {
        int i = 0;
        for (HostTensor h : model.frozenWeights().values()) {
            try (org.tensorflow.Tensor t = TfTensors.upload(h.toFloat32())) {
                session.runner().feed(inputs.get(i), t).addTarget(uploads.get(i)).run().close();
            }
            i++;
        }
    }

    private Operand<?> variable(String name, org.tensorflow.ndarray.Shape shape) {
        // an explicit shared name: with the default empty one every variable would be the same resource
        return tf.withName(name).varHandleOp(TFloat32.class, shape, VarHandleOp.sharedName(name));
    }

    private Operand<TFloat32> read(Operand<?> variable) {
        return tf.readVariableOp(variable, TFloat32.class);
    }

    private Operand<TInt32> allAxes(int rank) {
        int[] axes = new int[rank];
        for (int i = 0; i < rank; i++) {
            axes[i] = i;
        }
        return tf.constant(axes);
    }

    private Placeholder<TFloat32> scalar() {
        return tf.placeholder(TFloat32.class, Placeholder.shape(org.tensorflow.ndarray.Shape.scalar()));
    }

    /**
     * AdamW with plain math, in the cpu kernel's order of operations:
     * {@code g = gradScale·grad; m = beta1·m + (1-beta1)·g; v = beta2·v + (1-beta2)·g·g;
     * p = p - (m·c1 / (sqrt(v·c2) + eps))·lr - p·(lr·weightDecay)} with {@code c1, c2} the inverse bias corrections.
     */
    private StepGraph buildStep() {
        Placeholder<TFloat32> lr = scalar();
        Placeholder<TFloat32> beta1 = scalar();
        Placeholder<TFloat32> beta2 = scalar();
        Placeholder<TFloat32> a1 = scalar();
        Placeholder<TFloat32> a2 = scalar();
        Placeholder<TFloat32> eps = scalar();
        Placeholder<TFloat32> decay = scalar();
        Placeholder<TFloat32> gradScale = scalar();
        Placeholder<TFloat32> c1 = scalar();
        Placeholder<TFloat32> c2 = scalar();
        List<Op> updates = new ArrayList<>();
        for (Slot s : slots.values()) {
            // fresh reads for the update: the weights and moments as they are when the step runs
            Operand<TFloat32> g = tf.math.mul(read(s.grad()), gradScale);
            Operand<TFloat32> m = tf.math.add(tf.math.mul(read(s.m()), beta1), tf.math.mul(g, a1));
            Operand<TFloat32> v = tf.math.add(tf.math.mul(read(s.v()), beta2), tf.math.mul(tf.math.mul(g, g), a2));
            Operand<TFloat32> p = read(s.weight());
            Operand<TFloat32> stepv = tf.math.mul(tf.math.div(tf.math.mul(m, c1),
                    tf.math.add(tf.math.sqrt(tf.math.mul(v, c2)), eps)), lr);
            Operand<TFloat32> newP = tf.math.sub(p, stepv);
            if (s.spec().decay()) {
                newP = tf.math.sub(newP, tf.math.mul(p, decay));
            }
            Op am = tf.assignVariableOp(s.m(), m);
            Op av = tf.assignVariableOp(s.v(), v);
            Op ap = tf.assignVariableOp(s.weight(), newP);
            // the gradient is zeroed only after the update has consumed it
            Op zero = tf.withControlDependencies(List.of(am, av, ap))
                    .assignVariableOp(s.grad(), tf.zerosLike(g));
            updates.add(zero);
        }
        Op apply = tf.withControlDependencies(updates).noOp();
        return new StepGraph(lr, beta1, beta2, a1, a2, eps, decay, gradScale, c1, c2, apply);
    }

    /** Placeholders for new gradient values (one per parameter) and the op that assigns them all; for replicas. */
    private record GradientWrite(List<Placeholder<TFloat32>> values, Op assign) {
    }

    /** The graph of {@link #writeGradients}, added on first use (a graph may grow after its session exists). */
    private GradientWrite gradientWrite() {
        if (gradientWrite == null) {
            org.tensorflow.op.Ops scope = tf.withSubScope("write_gradients");
            List<Placeholder<TFloat32>> values = new ArrayList<>();
            List<Op> assigns = new ArrayList<>();
            for (Slot s : slots.values()) {
                Placeholder<TFloat32> p = scope.placeholder(TFloat32.class,
                        Placeholder.shape(TfTensors.shape(s.spec().shape())));
                values.add(p);
                assigns.add(scope.assignVariableOp(s.grad(), p));
            }
            gradientWrite = new GradientWrite(values, scope.withControlDependencies(assigns).noOp());
        }
        return gradientWrite;
    }

    /** Checks a flat gradient buffer's length against the total parameter count. */
    private void requireFlatLength(float[] flat, String what) {
        long total = 0;
        for (ParameterSpec spec : specs) {
            total += spec.shape().size();
        }
        if (flat.length != total) {
            throw new IllegalArgumentException(what + ": the buffer has " + flat.length + " floats but the model has "
                    + total + " parameters");
        }
    }

    /** The signature of a batch: what decides whether a traced graph can run it. */
    private String signature(Batch batch, boolean training) {
        StringBuilder sb = new StringBuilder(training ? "train" : "eval");
        for (String name : model.inputNames()) {
            HostTensor t = batch.get(name);
            sb.append('|').append(name).append(':').append(t.dtype() == DType.FLOAT32 ? "f" : "i").append(t.shape());
        }
        return sb.toString();
    }

    private Trace trace(Batch batch, boolean training) {
        String key = signature(batch, training);
        Trace t = traces.get(key);
        if (t == null) {
            t = buildTrace(batch, training, traces.size());
            traces.put(key, t);
        }
        return t;
    }

    private Trace buildTrace(Batch batch, boolean training, int n) {
        org.tensorflow.op.Ops scope = tf.withSubScope((training ? "train" : "eval") + n);
        Placeholder<TInt64> seedInput = training
                ? scope.placeholder(TInt64.class, Placeholder.shape(org.tensorflow.ndarray.Shape.of(2))) : null;
        TfGraphOps ops = new TfGraphOps(scope, training, seedInput);
        Map<String, Placeholder<?>> placeholders = new LinkedHashMap<>();
        Map<String, Tensor> inputs = new LinkedHashMap<>();
        for (String name : model.inputNames()) {
            HostTensor h = batch.get(name);
            org.tensorflow.ndarray.Shape s = TfTensors.shape(h.shape());
            Placeholder<?> ph = h.dtype() == DType.FLOAT32 ? scope.placeholder(TFloat32.class, Placeholder.shape(s))
                    : scope.placeholder(TInt32.class, Placeholder.shape(s));
            placeholders.put(name, ph);
            inputs.put(name, new TfSymbol(ph, h.shape(), h.dtype() == DType.FLOAT32 ? DType.FLOAT32 : DType.INT32,
                    name, null));
        }
        Map<String, TfSymbol> reads = new LinkedHashMap<>();
        Map<String, TfSymbol> frozenReads = new HashMap<>();
        Parameters params = name -> frozen.containsKey(name) ? frozenReads.computeIfAbsent(name, k ->
                new TfSymbol(scope.readVariableOp(frozen.get(k).variable(), TFloat32.class), frozen.get(k).shape(),
                        DType.FLOAT32, null, null)) : reads.computeIfAbsent(name, k -> {
            Slot slot = slots.get(k);
            if (slot == null) {
                throw new IllegalArgumentException("the model reads a weight named '" + k + "' that its parameterSpecs()"
                        + " do not declare; declared: " + slots.keySet());
            }
            return new TfSymbol(scope.readVariableOp(slot.weight(), TFloat32.class), slot.spec().shape(),
                    DType.FLOAT32, null, null);
        });
        Tensor loss = model.loss(ops, params, inputs);
        if (!(loss instanceof TfSymbol ls) || ls.dtype() != DType.FLOAT32 || ls.shape().size() != 1) {
            throw new IllegalStateException("the model's loss must be a float32 scalar of the training graph, was "
                    + loss);
        }
        @SuppressWarnings("unchecked")
        Operand<TFloat32> lossOp = (Operand<TFloat32>) ls.operand();
        Op accumulate = null;
        if (training) {
            if (reads.isEmpty()) {
                throw new IllegalStateException("the loss does not depend on any trainable parameter");
            }
            List<String> names = new ArrayList<>(reads.keySet());
            Output<?>[] xs = new Output<?>[names.size()];
            for (int i = 0; i < xs.length; i++) {
                xs[i] = reads.get(names.get(i)).operand().asOutput();
            }
            Output<?>[] grads = graph.addGradients(lossOp.asOutput(), xs);
            List<Op> adds = new ArrayList<>();
            for (int i = 0; i < xs.length; i++) {
                if (grads[i] != null) {
                    adds.add(scope.assignAddVariableOp(slots.get(names.get(i)).grad(), grads[i]));
                }
            }
            accumulate = scope.withControlDependencies(adds).noOp();
        }
        return new Trace(placeholders, seedInput, lossOp, accumulate, ops.idChecks());
    }

    private float runLoss(Batch batch, boolean training) {
        requireOpen();
        Trace t = trace(batch, training);
        for (TfGraphOps.IdCheck c : t.idChecks()) {
            c.check(batch.get(c.input()));
        }
        List<org.tensorflow.Tensor> fed = new ArrayList<>();
        try {
            Session.Runner r = session.runner();
            for (Map.Entry<String, Placeholder<?>> e : t.inputs().entrySet()) {
                org.tensorflow.Tensor in = TfTensors.upload(batch.get(e.getKey()));
                fed.add(in);
                r.feed(e.getValue(), in);
            }
            if (training) {
                long dropoutSeed = seed * 1_000_003L + step * 4099L + (microBatch++);
                org.tensorflow.Tensor s = TInt64.vectorOf(dropoutSeed, 0L);
                fed.add(s);
                r.feed(t.seed(), s);
                r.addTarget(t.accumulate());
            }
            r.fetch(t.loss());
            try (Result res = r.run()) {
                return ((TFloat32) res.get(0)).getFloat();
            }
        } finally {
            fed.forEach(org.tensorflow.Tensor::close);
        }
    }

    @Override
    public float forwardBackward(Batch batch) {
        return runLoss(batch, true);
    }

    @Override
    public float evaluate(Batch batch) {
        return runLoss(batch, false);
    }

    @Override
    public double gradientNorm() {
        requireOpen();
        try (Result r = session.runner().fetch(gradientNorm).run()) {
            return ((TFloat64) r.get(0)).getDouble();
        }
    }

    @Override
    public void step(AdamWStep s) {
        requireOpen();
        if (!(s.beta1() >= 0f && s.beta1() < 1f) || !(s.beta2() >= 0f && s.beta2() < 1f)) {
            throw new IllegalArgumentException("AdamW: beta1 and beta2 must be in [0, 1), were " + s.beta1() + " and "
                    + s.beta2());
        }
        long t = step + 1;
        float c1 = (float) (1.0 / (1.0 - Math.pow(s.beta1(), t)));
        float c2 = (float) (1.0 / (1.0 - Math.pow(s.beta2(), t)));
        StepGraph g = stepGraph;
        List<org.tensorflow.Tensor> fed = new ArrayList<>();
        try {
            Session.Runner r = session.runner();
            feedScalar(r, fed, g.lr(), s.lr());
            feedScalar(r, fed, g.beta1(), s.beta1());
            feedScalar(r, fed, g.beta2(), s.beta2());
            feedScalar(r, fed, g.oneMinusBeta1(), 1f - s.beta1());
            feedScalar(r, fed, g.oneMinusBeta2(), 1f - s.beta2());
            feedScalar(r, fed, g.eps(), s.eps());
            feedScalar(r, fed, g.decay(), s.lr() * s.weightDecay());
            feedScalar(r, fed, g.gradScale(), s.gradScale());
            feedScalar(r, fed, g.c1(), c1);
            feedScalar(r, fed, g.c2(), c2);
            r.addTarget(g.apply()).run().close();
        } finally {
            fed.forEach(org.tensorflow.Tensor::close);
        }
        step = t;
        microBatch = 0;
    }

    private static void feedScalar(Session.Runner r, List<org.tensorflow.Tensor> fed, Placeholder<TFloat32> p, float v) {
        TFloat32 t = TFloat32.scalarOf(v);
        fed.add(t);
        r.feed(p, t);
    }

    @Override
    public void zeroGradients() {
        requireOpen();
        session.runner().addTarget(zeroGradients).run().close();
        microBatch = 0;
    }

    /** Fetches one read per parameter into host tensors, in the model's parameter order. */
    private Map<String, HostTensor> fetch(java.util.function.Function<Slot, Operand<TFloat32>> which) {
        requireOpen();
        Session.Runner r = session.runner();
        for (Slot s : slots.values()) {
            r.fetch(which.apply(s));
        }
        Map<String, HostTensor> out = new LinkedHashMap<>();
        try (Result res = r.run()) {
            int i = 0;
            for (String name : slots.keySet()) {
                out.put(name, TfTensors.host((TFloat32) res.get(i++)));
            }
        }
        return out;
    }

    @Override
    public Map<String, HostTensor> gradients() {
        return fetch(Slot::readGrad);
    }

    /** All accumulated gradients in one session run, one parameter after another in the model's order. */
    @Override
    public void readGradients(float[] into) {
        requireFlatLength(into, "readGradients");
        int at = 0;
        for (HostTensor g : fetch(Slot::readGrad).values()) {
            float[] f = g.floats();
            System.arraycopy(f, 0, into, at, f.length);
            at += f.length;
        }
    }

    /** Assigns every gradient variable from {@code from} (laid out as {@link #readGradients} writes it) in one run. */
    @Override
    public void writeGradients(float[] from) {
        requireOpen();
        requireFlatLength(from, "writeGradients");
        GradientWrite w = gradientWrite();
        List<org.tensorflow.Tensor> fed = new ArrayList<>();
        try {
            Session.Runner r = session.runner();
            int at = 0;
            int i = 0;
            for (Slot s : slots.values()) {
                int n = Math.toIntExact(s.spec().shape().size());
                HostTensor slice = HostTensor.ofFloats(s.spec().shape(), java.util.Arrays.copyOfRange(from, at, at + n));
                org.tensorflow.Tensor t = TfTensors.upload(slice);
                fed.add(t);
                r.feed(w.values().get(i++), t);
                at += n;
            }
            r.addTarget(w.assign()).run().close();
        } finally {
            fed.forEach(org.tensorflow.Tensor::close);
        }
    }

    @Override
    public Map<String, HostTensor> weights() {
        return fetch(Slot::readWeight);
    }

    @Override
    public OptimizerState optimizerState() {
        return new OptimizerState(step, fetch(Slot::readM), fetch(Slot::readV));
    }

    @Override
    public void restore(Map<String, HostTensor> weights, OptimizerState state) {
        requireOpen();
        assign(weights, state.m(), state.v());
        step = state.step();
        microBatch = 0;
    }

    /** Sets every weight and moment from the host (checked first, so a bad entry changes nothing) and zeroes gradients. */
    private void assign(Map<String, HostTensor> weights, Map<String, HostTensor> m, Map<String, HostTensor> v) {
        for (Slot s : slots.values()) {
            check(s, "weights", weights);
            check(s, "optimizer m", m);
            check(s, "optimizer v", v);
        }
        List<org.tensorflow.Tensor> fed = new ArrayList<>();
        try {
            Session.Runner r = session.runner();
            for (Slot s : slots.values()) {
                String name = s.spec().name();
                feed(r, fed, s.newWeight(), weights.get(name), s.spec().shape());
                feed(r, fed, s.newM(), m.get(name), s.spec().shape());
                feed(r, fed, s.newV(), v.get(name), s.spec().shape());
            }
            r.addTarget(restoreAll).run().close();
        } finally {
            fed.forEach(org.tensorflow.Tensor::close);
        }
    }

    private static void check(Slot s, String what, Map<String, HostTensor> values) {
        String name = s.spec().name();
        HostTensor h = values.get(name);
        if (h == null) {
            throw new IllegalArgumentException("cannot restore: " + what + " has no entry for parameter '" + name + "'");
        }
        if (h.shape().size() != s.spec().shape().size()) {
            throw new ShapeMismatchException("cannot restore: " + what + " of '" + name + "' has shape " + h.shape()
                    + " but the parameter has shape " + s.spec().shape());
        }
    }

    private static void feed(Session.Runner r, List<org.tensorflow.Tensor> fed, Placeholder<TFloat32> p, HostTensor h,
            Shape shape) {
        org.tensorflow.Tensor t = TfTensors.upload(h.toFloat32().reshape(shape));
        fed.add(t);
        r.feed(p, t);
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("this tensorflow training program is closed");
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            session.close();
            graph.close();
        }
    }
}
