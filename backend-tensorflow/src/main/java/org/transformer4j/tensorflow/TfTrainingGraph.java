package org.transformer4j.tensorflow;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
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
import org.transformer4j.tensor.Tensor;
import org.transformer4j.train.AdamWStep;

/**
 * The graph half of {@link TfTrainingProgram}: builds, in one TensorFlow graph, four resource variables per trained
 * parameter (the weight, AdamW's two moments and the accumulated gradient), one per frozen weight, the ops that zero
 * the gradients and restore the state, the global gradient norm (in float64), the AdamW update written with plain
 * math ops exactly as {@link AdamWStep} defines it, and, on demand, one traced loss per batch signature (with its
 * gradients from {@code Graph.addGradients}) and the gradient-exchange assignment for replicas. It runs nothing: the
 * program's session runs what this builds. A graph may grow after its session exists, so traces are added lazily.
 */
final class TfTrainingGraph implements AutoCloseable {
    private final TrainableModel model;
    private final Graph graph;
    private final org.tensorflow.op.Ops tf;
    private final Map<String, Slot> slots = new LinkedHashMap<>();
    /** The model's frozen weights: one variable each, uploaded once, read by the traces, never differentiated. */
    private final Map<String, Frozen> frozen = new LinkedHashMap<>();
    private final List<Op> frozenUploads = new ArrayList<>();
    private final List<Placeholder<TFloat32>> frozenInputs = new ArrayList<>();
    private final Map<String, Trace> traces = new HashMap<>();
    private final Op zeroGradients;
    private final Op restoreAll;
    private final Operand<TFloat64> gradientNorm;
    private final StepGraph stepGraph;
    private GradientWrite gradientWrite;

    /** The variables of one parameter, with their reads and the placeholders that restore them. */
    record Slot(ParameterSpec spec, Operand<?> weight, Operand<?> m, Operand<?> v, Operand<?> grad,
                Operand<TFloat32> readWeight, Operand<TFloat32> readM, Operand<TFloat32> readV,
                Operand<TFloat32> readGrad, Placeholder<TFloat32> newWeight, Placeholder<TFloat32> newM,
                Placeholder<TFloat32> newV) {
    }

    /** A frozen weight's variable and the shape it holds. */
    private record Frozen(Operand<?> variable, Shape shape) {
    }

    /** One traced loss: its batch placeholders, the loss, the gradient accumulation (training only), the id checks. */
    record Trace(Map<String, Placeholder<?>> inputs, Placeholder<TInt64> seed, Operand<TFloat32> loss,
                 Op accumulate, List<TfGraphOps.IdCheck> idChecks) {
    }

    /** The AdamW update's scalar inputs and the op that applies it to every parameter and zeroes the gradients. */
    record StepGraph(Placeholder<TFloat32> lr, Placeholder<TFloat32> beta1, Placeholder<TFloat32> beta2,
                     Placeholder<TFloat32> oneMinusBeta1, Placeholder<TFloat32> oneMinusBeta2,
                     Placeholder<TFloat32> eps, Placeholder<TFloat32> decay, Placeholder<TFloat32> gradScale,
                     Placeholder<TFloat32> c1, Placeholder<TFloat32> c2, Op apply) {
    }

    /** Placeholders for new gradient values (one per parameter) and the op that assigns them all; for replicas. */
    record GradientWrite(List<Placeholder<TFloat32>> values, Op assign) {
    }

    /**
     * Builds the variables, the state ops, the gradient norm and the AdamW step of {@code model} on {@code device};
     * closes the graph when building fails.
     */
    TfTrainingGraph(TrainableModel model, List<ParameterSpec> specs, TfDevice device) {
        this.model = model;
        this.graph = new Graph();
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
            for (var e : model.frozenWeights().entrySet()) {
                if (slots.containsKey(e.getKey())) {
                    throw new IllegalArgumentException("weight '" + e.getKey() + "' is declared both trained and frozen");
                }
                org.tensorflow.ndarray.Shape shape = TfTensors.shape(e.getValue().shape());
                Operand<?> var = variable("f" + frozen.size() + "_frozen", shape);
                Placeholder<TFloat32> in = tf.placeholder(TFloat32.class, Placeholder.shape(shape));
                frozenUploads.add(tf.assignVariableOp(var, in));
                frozenInputs.add(in);
                frozen.put(e.getKey(), new Frozen(var, e.getValue().shape()));
            }
            this.zeroGradients = tf.withControlDependencies(zeros).noOp();
            this.restoreAll = tf.withControlDependencies(restores).noOp();
            this.gradientNorm = squares.isEmpty() ? tf.constant(0.0) : tf.math.sqrt(tf.math.addN(squares));
            this.stepGraph = buildStep();
        } catch (RuntimeException | Error e) {
            graph.close();
            throw e;
        }
    }

    Graph graph() {
        return graph;
    }

    /** The trained parameters' variables, in the model's parameter order. */
    Collection<Slot> slots() {
        return slots.values();
    }

    /** The frozen weights' upload ops, in {@link TrainableModel#frozenWeights()} order. */
    List<Op> frozenUploads() {
        return frozenUploads;
    }

    /** The placeholders {@link #frozenUploads()} read, in the same order. */
    List<Placeholder<TFloat32>> frozenInputs() {
        return frozenInputs;
    }

    Op zeroGradients() {
        return zeroGradients;
    }

    Op restoreAll() {
        return restoreAll;
    }

    Operand<TFloat64> gradientNorm() {
        return gradientNorm;
    }

    StepGraph stepGraph() {
        return stepGraph;
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

    /** The gradient-exchange assignment, added on first use (a graph may grow after its session exists). */
    GradientWrite gradientWrite() {
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

    /** The signature of a batch: what decides whether a traced graph can run it. */
    private String signature(Batch batch, boolean training) {
        StringBuilder sb = new StringBuilder(training ? "train" : "eval");
        for (String name : model.inputNames()) {
            HostTensor t = batch.get(name);
            sb.append('|').append(name).append(':').append(t.dtype() == DType.FLOAT32 ? "f" : "i").append(t.shape());
        }
        return sb.toString();
    }

    /** The loss traced for {@code batch}'s signature, tracing it on first use. */
    Trace trace(Batch batch, boolean training) {
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

    @Override
    public void close() {
        graph.close();
    }
}
