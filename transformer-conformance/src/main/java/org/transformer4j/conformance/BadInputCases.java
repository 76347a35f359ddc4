package org.transformer4j.conformance;

import static org.transformer4j.conformance.StandardCases.B;
import static org.transformer4j.conformance.StandardCases.C;
import static org.transformer4j.conformance.StandardCases.HEADS;
import static org.transformer4j.conformance.StandardCases.IGNORE;
import static org.transformer4j.conformance.StandardCases.OUT;
import static org.transformer4j.conformance.StandardCases.T;
import static org.transformer4j.conformance.StandardCases.V;
import static org.transformer4j.conformance.StandardCases.ids;
import static org.transformer4j.conformance.StandardCases.normal;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.transformer4j.nn.Ops;
import org.transformer4j.tensor.HostTensor;
import org.transformer4j.tensor.Shape;
import org.transformer4j.tensor.Tensor;

/**
 * The bad inputs every backend must refuse with an {@link IllegalArgumentException} rather than compute garbage
 * from: token ids and targets outside the vocabulary, tensors of the wrong shape or dtype for each op, and the
 * same through whole models ({@link ModelBadInputs}).
 */
final class BadInputCases {
    private BadInputCases() {
    }

    static List<ConformanceCase> all() {
        List<ConformanceCase> cases = new ArrayList<>();
        cases.add(op("bad_embedding_id_past_vocab", "embedding of ids [" + B + ", " + T + "] holding " + V
                + " (the vocabulary is [0, " + V + "))", ops -> ops.embedding(ops.constant(normal(1, 1, 0, V, C)),
                        ops.constant(withValue(ids(2, V, B, T), 5, V)))));
        cases.add(op("bad_embedding_negative_id", "embedding of ids holding -1", ops -> ops.embedding(
                ops.constant(normal(1, 1, 0, V, C)), ops.constant(withValue(ids(2, V, B, T), 9, -1)))));
        cases.add(op("bad_embedding_float_ids", "embedding whose ids are a FLOAT32 tensor", ops ->
                ops.embedding(ops.constant(normal(1, 1, 0, V, C)), ops.constant(normal(2, 1, 0, B, T)))));
        cases.add(op("bad_linear_width", "linear of x [" + B + ", " + T + ", " + C + "] with weight [" + OUT + ", "
                + (C - 2) + "] (input widths differ)", ops -> ops.linear(ops.constant(normal(3, 1, 0, B, T, C)),
                        ops.constant(normal(4, 1, 0, OUT, C - 2)), null)));
        cases.add(op("bad_linear_bias_shape", "linear with bias [" + (OUT + 1) + "] for " + OUT + " outputs",
                ops -> ops.linear(ops.constant(normal(3, 1, 0, B, T, C)), ops.constant(normal(4, 1, 0, OUT, C)),
                        ops.constant(normal(5, 1, 0, OUT + 1)))));
        cases.add(op("bad_linear_int_input", "linear of an INT32 x", ops -> ops.linear(
                ops.constant(ids(6, V, B, T, C)), ops.constant(normal(4, 1, 0, OUT, C)), null)));
        cases.add(op("bad_layer_norm_gamma_shape", "layer norm over C=" + C + " with gamma [" + (C + 1) + "]",
                ops -> ops.layerNorm(ops.constant(normal(8, 1, 0, B, T, C)), ops.constant(normal(9, 1, 1, C + 1)), null, 1e-5f)));
        cases.add(op("bad_layer_norm_negative_eps", "layer norm with eps -1e-5 (the variance plus eps could be"
                + " negative: NaN out)", ops -> ops.layerNorm(ops.constant(normal(8, 1, 0, B, T, C)),
                        ops.constant(normal(9, 1, 1, C)), null, -1e-5f)));
        cases.add(op("bad_add_shape", "add of [" + B + ", " + T + ", " + C + "] and [5] (not its trailing axes)",
                ops -> ops.add(ops.constant(normal(13, 1, 0, B, T, C)), ops.constant(normal(14, 1, 0, 5)))));
        cases.add(op("bad_split_uneven", "split of width " + C + " into 5 parts", ops ->
                ops.split(ops.constant(normal(22, 1, 0, B, T, C)), 5)[0]));
        cases.add(op("bad_concat_time_width", "concatTime of [" + B + ", " + T + ", " + C + "] and [" + B + ", 1, "
                + (C + 1) + "]", ops -> ops.concatTime(ops.constant(normal(23, 1, 0, B, T, C)),
                        ops.constant(normal(24, 1, 0, B, 1, C + 1)))));
        cases.add(op("bad_attention_heads", "attention of width " + C + " in 5 heads (5 does not divide " + C + ")",
                ops -> ops.attention(ops.constant(normal(30, 1, 0, B, T, C)), ops.constant(normal(31, 1, 0, B, T, C)),
                        ops.constant(normal(32, 1, 0, B, T, C)), 5, false, null)));
        cases.add(op("bad_attention_value_shape", "attention with v [" + B + ", " + (T - 1) + ", " + C
                + "] for k [" + B + ", " + T + ", " + C + "]", ops -> ops.attention(
                        ops.constant(normal(30, 1, 0, B, T, C)), ops.constant(normal(31, 1, 0, B, T, C)),
                        ops.constant(normal(32, 1, 0, B, T - 1, C)), HEADS, false, null)));
        cases.add(op("bad_attention_key_mask_shape", "attention with a key mask [" + B + ", " + (T + 1) + "] for "
                + T + " keys", ops -> ops.attention(ops.constant(normal(30, 1, 0, B, T, C)),
                        ops.constant(normal(31, 1, 0, B, T, C)), ops.constant(normal(32, 1, 0, B, T, C)), HEADS, false,
                        ops.constant(HostTensor.ofInts(Shape.of(B, T + 1), new int[B * (T + 1)])))));
        cases.add(op("bad_cross_entropy_target_past_vocab", "cross-entropy with a target " + V + " (vocabulary "
                + V + ", ignore index " + IGNORE + ")", ops -> ops.crossEntropy(
                        ops.constant(normal(40, 3, 0, B, T, V)), ops.constant(withValue(ids(41, V, B, T), 3, V)), IGNORE)));
        cases.add(op("bad_cross_entropy_targets_shape", "cross-entropy of logits [" + B + ", " + T + ", " + V
                + "] with targets [" + B + ", " + (T - 1) + "]", ops -> ops.crossEntropy(
                        ops.constant(normal(40, 3, 0, B, T, V)), ops.constant(ids(41, V, B, T - 1)), IGNORE)));
        cases.addAll(ModelBadInputs.all());
        return cases;
    }

    private static BadInputCase op(String name, String description, Function<Ops, Tensor> call) {
        return new BadInputCase(name, description, e -> call.apply(Capable.inference(e).inferenceOps()));
    }

    /** A copy of int32 {@code t} with flat element {@code at} set to {@code value}. */
    static HostTensor withValue(HostTensor t, int at, int value) {
        int[] v = t.ints().clone();
        v[at] = value;
        return HostTensor.ofInts(t.shape(), v);
    }
}
