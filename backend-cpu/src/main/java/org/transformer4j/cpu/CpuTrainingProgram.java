package org.transformer4j.cpu;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.transformer4j.cpu.kernel.AdamWKernel;
import org.transformer4j.cpu.kernel.ArrayBlocks;
import org.transformer4j.cpu.kernel.Parallelism;
import org.transformer4j.data.Batch;
import org.transformer4j.nn.ParameterSpec;
import org.transformer4j.nn.TrainableModel;
import org.transformer4j.tensor.HostTensor;
import org.transformer4j.tensor.Shape;
import org.transformer4j.tensor.ShapeMismatchException;
import org.transformer4j.tensor.Tensor;
import org.transformer4j.train.AdamWStep;
import org.transformer4j.train.OptimizerState;
import org.transformer4j.train.TrainingProgram;

/**
 * Trains a model on the CPU: each {@link #forwardBackward} runs the model's loss eagerly with a fresh
 * {@link Tape}, then the tape's backward adds into the parameters' gradient buffers; {@link #step}
 * applies the fused AdamW kernel per parameter. Every intermediate array of a pass (activations, their gradients,
 * dropout masks) comes from a {@link StepArena} that the next pass reuses, so a training loop of one batch shape
 * allocates almost nothing after its first step. A model's {@link TrainableModel#frozenWeights() frozen weights} are
 * served from their own arrays, without gradient buffers or optimizer moments.
 */
final class CpuTrainingProgram implements TrainingProgram {
    private final TrainableModel model;
    private final Parallelism par;
    private final long seed;
    private final List<ParameterSpec> specs;
    private final Map<String, CpuTensor> params = new LinkedHashMap<>();
    private final Map<String, float[]> m = new HashMap<>();
    private final Map<String, float[]> v = new HashMap<>();
    private final CpuWeights view;
    private final StepArena arena;
    private long step;
    private int microBatch;

    CpuTrainingProgram(TrainableModel model, Map<String, HostTensor> weights, Parallelism par, long seed) {
        this.model = model;
        this.par = par;
        this.arena = new StepArena(par);
        this.seed = seed;
        this.specs = List.copyOf(model.parameterSpecs());
        for (ParameterSpec spec : specs) {
            HostTensor w = weights.get(spec.name());
            if (w == null) {
                throw new IllegalArgumentException("missing weight '" + spec.name() + "' " + spec.shape()
                        + " for this model; the weights given have " + weights.size() + " entries");
            }
            Shape.requireEqual("training", "weight " + spec.name(), spec.shape(), w.shape());
            params.put(spec.name(), CpuTensor.floats(spec.shape(), w.toFloat32().floats().clone(), true));
            m.put(spec.name(), new float[spec.shape().size()]);
            v.put(spec.name(), new float[spec.shape().size()]);
        }
        // frozen weights (LoRA's base model): the host arrays themselves, no gradient, no optimizer state
        Map<String, CpuTensor> all = new LinkedHashMap<>(params);
        model.frozenWeights().forEach((name, w) -> {
            if (params.containsKey(name)) {
                throw new IllegalArgumentException("weight '" + name + "' is declared both trained and frozen");
            }
            all.put(name, CpuTensor.floats(w.shape(), w.toFloat32().floats(), false));
        });
        this.view = new CpuWeights(all);
    }

    private Map<String, Tensor> inputs(CpuOps ops, Batch batch) {
        Map<String, Tensor> in = new HashMap<>();
        for (String name : model.inputNames()) {
            in.put(name, ops.constant(batch.get(name)));
        }
        return in;
    }

    @Override
    public float forwardBackward(Batch batch) {
        Tape tape = new Tape();
        long dropoutSeed = seed * 1_000_003L + step * 4099L + (microBatch++);
        arena.recycle(); // the previous pass's tape has run: nothing refers to its arrays any more
        CpuOps ops = new CpuOps(par, tape, dropoutSeed, arena);
        CpuTensor loss = CpuOps.cpu(model.loss(ops, view, inputs(ops, batch)), "loss", "loss");
        if (!loss.requiresGrad) {
            throw new IllegalStateException("the loss does not depend on any trainable parameter");
        }
        tape.backward(loss);
        return loss.data[0];
    }

    @Override
    public float evaluate(Batch batch) {
        arena.recycle();
        CpuOps ops = new CpuOps(par, null, 0L, arena);
        return model.loss(ops, view, inputs(ops, batch)).item();
    }

    /** Elements per partial sum of {@link #gradientNorm}: fixed, so the norm is the same at any thread count. */
    private static final int NORM_BLOCK = 8192;

    /**
     * The L2 norm over every gradient, from fixed-size partial sums added in a fixed order (so it is the same at any
     * thread count). One parallel loop over all arrays' blocks ({@link ArrayBlocks}).
     */
    @Override
    public double gradientNorm() {
        List<float[]> grads = new ArrayList<>();
        for (CpuTensor p : params.values()) {
            float[] g = p.gradOrNull();
            if (g != null) {
                grads.add(g);
            }
        }
        ArrayBlocks blocks = new ArrayBlocks(grads.stream().mapToInt(g -> g.length).toArray(), NORM_BLOCK);
        double[] partial = new double[blocks.count()];
        blocks.forEach(par, 1, (block, array, from, to) -> {
            float[] g = grads.get(array);
            double s = 0;
            for (int i = from; i < to; i++) {
                s += (double) g[i] * g[i];
            }
            partial[block] = s;
        });
        double sum = 0;
        for (double s : partial) {
            sum += s;
        }
        return Math.sqrt(sum);
    }

    @Override
    public void step(AdamWStep s) {
        step++;
        List<AdamWKernel.Slot> slots = new ArrayList<>(specs.size());
        for (ParameterSpec spec : specs) {
            CpuTensor p = params.get(spec.name());
            slots.add(new AdamWKernel.Slot(p.data, p.grad(), m.get(spec.name()), v.get(spec.name()),
                    spec.decay() ? s.weightDecay() : 0f));
        }
        AdamWKernel.update(par, slots, s.lr(), s.beta1(), s.beta2(), s.eps(), s.gradScale(), step);
        zeroGradients();
    }

    @Override
    public void zeroGradients() {
        for (CpuTensor p : params.values()) {
            p.clearGrad(); // no pass over the buffers: the next backward sets them (CpuTensor#gradUnwritten)
        }
        microBatch = 0;
    }

    @Override
    public Map<String, HostTensor> gradients() {
        Map<String, HostTensor> out = new LinkedHashMap<>();
        params.forEach((name, t) -> out.put(name, HostTensor.ofFloats(t.shape, t.grad().clone())));
        return out;
    }

    @Override
    public void readGradients(float[] into) {
        int at = flatOffset(into, "readGradients");
        for (CpuTensor p : params.values()) {
            float[] g = p.gradOrNull();
            if (g == null) {
                java.util.Arrays.fill(into, at, at + p.data.length, 0f);
            } else {
                System.arraycopy(g, 0, into, at, g.length);
            }
            at += p.data.length;
        }
    }

    @Override
    public void writeGradients(float[] from) {
        int at = flatOffset(from, "writeGradients");
        for (CpuTensor p : params.values()) {
            System.arraycopy(from, at, p.gradToSet(), 0, p.data.length);
            at += p.data.length;
        }
    }

    /** Checks a flat gradient buffer's length (the total parameter count); returns 0, where the first parameter starts. */
    private int flatOffset(float[] flat, String what) {
        long total = 0;
        for (CpuTensor p : params.values()) {
            total += p.data.length;
        }
        if (flat.length != total) {
            throw new IllegalArgumentException(what + ": the buffer has " + flat.length + " floats but the model has "
                    + total + " parameters");
        }
        return 0;
    }

    @Override
    public Map<String, HostTensor> weights() {
        Map<String, HostTensor> out = new LinkedHashMap<>();
        params.forEach((name, t) -> out.put(name, HostTensor.ofFloats(t.shape, t.data.clone())));
        return out;
    }

    @Override
    public OptimizerState optimizerState() {
        Map<String, HostTensor> ms = new LinkedHashMap<>();
        Map<String, HostTensor> vs = new LinkedHashMap<>();
        params.forEach((name, t) -> {
            ms.put(name, HostTensor.ofFloats(t.shape, m.get(name).clone()));
            vs.put(name, HostTensor.ofFloats(t.shape, v.get(name).clone()));
        });
        return new OptimizerState(step, ms, vs);
    }

    @Override
    public void restore(Map<String, HostTensor> weights, OptimizerState state) {
        for (ParameterSpec spec : specs) {
            String name = spec.name();
            copyInto(name, "weights", weights.get(name), params.get(name).data);
            copyInto(name, "optimizer m", state.m().get(name), m.get(name));
            copyInto(name, "optimizer v", state.v().get(name), v.get(name));
        }
        step = state.step();
        zeroGradients();
    }

    private static void copyInto(String name, String what, HostTensor src, float[] dst) {
        if (src == null) {
            throw new IllegalArgumentException("cannot restore: " + what + " has no entry for parameter '" + name + "'");
        }
        if (src.shape().size() != dst.length) {
            throw new ShapeMismatchException("cannot restore: " + what + " of '" + name + "' has shape " + src.shape()
                    + " but the parameter has " + dst.length + " elements");
        }
        System.arraycopy(src.toFloat32().floats(), 0, dst, 0, dst.length);
    }

    /** Bytes of arrays the last pass was handed, reuse within it counted each time (for tests). */
    long arenaHandedOutBytes() {
        return arena.handedOutBytes();
    }

    /** Bytes of arrays the pass arena holds (for tests and memory reports). */
    long arenaBytes() {
        return arena.allocatedBytes();
    }

    @Override
    public void close() {
    }
}
