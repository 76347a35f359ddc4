package org.transformer4j.tensorflow;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.op.Op;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt64;
import org.transformer4j.data.Batch;
import org.transformer4j.nn.ParameterSpec;
import org.transformer4j.nn.TrainableModel;
import org.transformer4j.tensor.HostTensor;
import org.transformer4j.tensor.Shape;
import org.transformer4j.tensor.ShapeMismatchException;
import org.transformer4j.tensorflow.TfTrainingGraph.GradientWrite;
import org.transformer4j.tensorflow.TfTrainingGraph.Slot;
import org.transformer4j.tensorflow.TfTrainingGraph.StepGraph;
import org.transformer4j.tensorflow.TfTrainingGraph.Trace;
import org.transformer4j.train.AdamWStep;
import org.transformer4j.train.OptimizerState;
import org.transformer4j.train.TrainingProgram;

/**
 * Trains a model in one TensorFlow graph, built by {@link TfTrainingGraph} (four resource variables per parameter:
 * the weight, AdamW's two moments and the accumulated gradient; one traced loss per batch signature; the AdamW step;
 * the global gradient norm in float64). This class is the session runtime over that graph: each
 * {@link #forwardBackward} is one session run that returns the loss and adds the gradients into their variables;
 * {@link #step} feeds AdamW's scalars ({@link AdamWStep}) and runs the update, which zeroes the gradients after every
 * update has read them. Nothing in the graph is unordered or stateful-random, so the same seed gives the same losses
 * run after run. For data-parallel replicas, {@link #readGradients} fetches the gradient variables and
 * {@link #writeGradients} assigns them (the all-reduced mean) before the norm and the step read them. A model's
 * {@link TrainableModel#frozenWeights() frozen weights} get one variable each, uploaded once; traces read them, and
 * the gradients are taken only with respect to the trained weights.
 */
final class TfTrainingProgram implements TrainingProgram {
    private final TrainableModel model;
    private final long seed;
    private final List<ParameterSpec> specs;
    private final TfTrainingGraph graph;
    private final Session session;
    private long step;
    private int microBatch;
    private boolean closed;

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
        this.graph = new TfTrainingGraph(model, specs, device);
        Session s = null;
        try {
            s = device.newSession(graph.graph());
            this.session = s;
            Map<String, HostTensor> zerosHost = new HashMap<>();
            for (ParameterSpec spec : specs) {
                zerosHost.put(spec.name(), HostTensor.zeros(spec.shape()));
            }
            assign(weights, zerosHost, zerosHost);
            uploadFrozen();
        } catch (RuntimeException | Error e) {
            if (s != null) {
                s.close();
            }
            graph.close();
            throw e;
        }
    }

    /** Sets every frozen variable from the model's host arrays, once (one run per weight: no second host copy). */
    private void uploadFrozen() {
        List<Op> uploads = graph.frozenUploads();
        List<Placeholder<TFloat32>> inputs = graph.frozenInputs();
        int i = 0;
        for (HostTensor h : model.frozenWeights().values()) {
            try (org.tensorflow.Tensor t = TfTensors.upload(h.toFloat32())) {
                session.runner().feed(inputs.get(i), t).addTarget(uploads.get(i)).run().close();
            }
            i++;
        }
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

    private float runLoss(Batch batch, boolean training) {
        requireOpen();
        Trace t = graph.trace(batch, training);
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
        try (Result r = session.runner().fetch(graph.gradientNorm()).run()) {
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
        StepGraph g = graph.stepGraph();
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
        session.runner().addTarget(graph.zeroGradients()).run().close();
        microBatch = 0;
    }

    /** Fetches one read per parameter into host tensors, in the model's parameter order. */
    private Map<String, HostTensor> fetch(java.util.function.Function<Slot, Operand<TFloat32>> which) {
        requireOpen();
        Session.Runner r = session.runner();
        for (Slot s : graph.slots()) {
            r.fetch(which.apply(s));
        }
        Map<String, HostTensor> out = new LinkedHashMap<>();
        try (Result res = r.run()) {
            int i = 0;
            for (Slot s : graph.slots()) {
                out.put(s.spec().name(), TfTensors.host((TFloat32) res.get(i++)));
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
        GradientWrite w = graph.gradientWrite();
        List<org.tensorflow.Tensor> fed = new ArrayList<>();
        try {
            Session.Runner r = session.runner();
            int at = 0;
            int i = 0;
            for (Slot s : graph.slots()) {
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
        for (Slot s : graph.slots()) {
            check(s, "weights", weights);
            check(s, "optimizer m", m);
            check(s, "optimizer v", v);
        }
        List<org.tensorflow.Tensor> fed = new ArrayList<>();
        try {
            Session.Runner r = session.runner();
            for (Slot s : graph.slots()) {
                String name = s.spec().name();
                feed(r, fed, s.newWeight(), weights.get(name), s.spec().shape());
                feed(r, fed, s.newM(), m.get(name), s.spec().shape());
                feed(r, fed, s.newV(), v.get(name), s.spec().shape());
            }
            r.addTarget(graph.restoreAll()).run().close();
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
            try {
                session.close();
            } finally {
                graph.close();
            }
        }
    }
}
