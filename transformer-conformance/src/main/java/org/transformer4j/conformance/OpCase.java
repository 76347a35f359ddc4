package org.transformer4j.conformance;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;
import org.transformer4j.backend.Engine;
import org.transformer4j.nn.Ops;
import org.transformer4j.tensor.HostTensor;
import org.transformer4j.tensor.Tensor;

/**
 * A conformance case over {@link Ops}: the same host inputs are uploaded with {@link Ops#constant} on each
 * engine's {@link org.transformer4j.backend.InferenceEngine#inferenceOps()}, the same function of the ops is applied, and the outputs are compared
 * (shapes exactly, values under the tolerance, every output in order as one sequence).
 */
public final class OpCase implements ConformanceCase {

    /** A computation written against {@link Ops}, given the uploaded inputs in order. */
    @FunctionalInterface
    public interface OpFunction {
        /**
         * The outputs (one or more) of the computation.
         *
         * @param ops    the engine's inference ops
         * @param inputs the host inputs uploaded with {@link Ops#constant}, in order
         * @return the outputs, compared in order as one sequence
         */
        Tensor[] apply(Ops ops, List<Tensor> inputs);
    }

    private final String name;
    private final String description;
    private final Tolerance tolerance;
    private final Supplier<List<HostTensor>> inputs;
    private final OpFunction function;

    private OpCase(String name, String description, Tolerance tolerance, Supplier<List<HostTensor>> inputs,
            OpFunction function) {
        this.name = Objects.requireNonNull(name, "name");
        this.description = Objects.requireNonNull(description, "description");
        this.tolerance = Objects.requireNonNull(tolerance, "tolerance");
        this.inputs = Objects.requireNonNull(inputs, "inputs");
        this.function = Objects.requireNonNull(function, "function");
    }

    /**
     * A case named {@code name}.
     *
     * @param name        unique, stable, lower-case name
     * @param description one sentence on what is checked, including the sizes
     * @param tolerance   how close the candidate's outputs must be
     * @param inputs   makes the host inputs; called once per engine, so it must be deterministic (seeded)
     * @param function the computation, given the inputs uploaded in the same order
     * @return the case
     */
    public static OpCase of(String name, String description, Tolerance tolerance,
            Supplier<List<HostTensor>> inputs, OpFunction function) {
        return new OpCase(name, description, tolerance, inputs, function);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String description() {
        return description;
    }

    @Override
    public Tolerance tolerance() {
        return tolerance;
    }

    @Override
    public Need needs() {
        return Need.INFERENCE;
    }

    @Override
    public CaseResult run(Engine reference, Engine candidate) {
        Outputs expected;
        try {
            expected = compute(reference);
        } catch (RuntimeException | AssertionError | LinkageError e) {
            return CaseResult.failed("the reference engine '" + reference.backendName() + "' failed, so nothing "
                    + "was compared: " + e);
        }
        Outputs actual;
        try {
            actual = compute(candidate);
        } catch (UnsupportedOperationException e) {
            return CaseResult.notSupported(String.valueOf(e.getMessage()));
        } catch (RuntimeException | AssertionError | LinkageError e) {
            return CaseResult.failed("the candidate '" + candidate.backendName() + "' threw " + e);
        }
        if (!actual.shapes.equals(expected.shapes)) {
            return new CaseResult(CaseStatus.FAIL, Comparison.failure("output shapes differ", tolerance),
                    "output shapes differ: candidate " + actual.shapes + ", reference " + expected.shapes);
        }
        return CaseResult.compared(Comparison.of(actual.values, expected.values, tolerance));
    }

    private record Outputs(List<String> shapes, float[] values) {
    }

    private Outputs compute(Engine engine) {
        Ops ops = Capable.inference(engine).inferenceOps();
        Set<Tensor> toClose = Collections.newSetFromMap(new IdentityHashMap<>());
        try {
            List<Tensor> uploaded = new ArrayList<>();
            for (HostTensor h : inputs.get()) {
                Tensor t = ops.constant(h);
                toClose.add(t);
                uploaded.add(t);
            }
            Tensor[] outs = function.apply(ops, Collections.unmodifiableList(uploaded));
            List<String> shapes = new ArrayList<>();
            List<float[]> parts = new ArrayList<>();
            int total = 0;
            for (Tensor o : outs) {
                toClose.add(o);
                shapes.add(o.shape() + " " + o.dtype());
                float[] v = o.toFloatArray();
                parts.add(v);
                total += v.length;
            }
            float[] all = new float[total];
            int at = 0;
            for (float[] p : parts) {
                System.arraycopy(p, 0, all, at, p.length);
                at += p.length;
            }
            return new Outputs(shapes, all);
        } finally {
            for (Tensor t : toClose) {
                t.close();
            }
        }
    }

    @Override
    public String toString() {
        return "OpCase[" + name + "]";
    }
}
