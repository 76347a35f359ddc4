package org.transformer4j.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.transformer4j.conformance.fixtures.TinyModels.SMALL;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.transformer4j.backend.Engine;
import org.transformer4j.backend.TrainingEngine;
import org.transformer4j.backend.EngineOptions;
import org.transformer4j.backend.LoadedWeights;
import org.transformer4j.conformance.fixtures.TinyModels;
import org.transformer4j.data.Batch;
import org.transformer4j.model.GptModel;
import org.transformer4j.model.KvCache;
import org.transformer4j.model.Seq2SeqModel;
import org.transformer4j.nn.Ops;
import org.transformer4j.tensor.HostTensor;
import org.transformer4j.tensor.Shape;
import org.transformer4j.tensor.Tensor;
import org.transformer4j.train.TrainingProgram;

/**
 * Bad input into the cpu backend gets an {@link IllegalArgumentException} that names the operation and what is
 * wrong (never an index error or garbage numbers): tensors of the wrong shape or dtype into every op, token ids
 * outside the vocabulary, sequences longer than the context, empty inputs, and bad targets in training (which leave
 * the program as it was).
 */
class CpuBadInputTest {
    private static final TrainingEngine ENGINE = new CpuBackend().open(EngineOptions.defaults().withThreads(1));
    private static final Ops OPS = ENGINE.inferenceOps();

    @AfterAll
    static void close() {
        ENGINE.close();
    }

    private static Tensor f(int... dims) {
        Shape s = Shape.of(dims);
        float[] v = new float[s.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) Math.sin(i);
        }
        return OPS.constant(HostTensor.ofFloats(s, v));
    }

    private static Tensor ids(int[] dims, int... values) {
        return OPS.constant(HostTensor.ofInts(Shape.of(dims), values));
    }

    private static Tensor zeros(int... dims) {
        return OPS.constant(HostTensor.ofInts(Shape.of(dims), new int[Shape.of(dims).size()]));
    }

    private static Arguments bad(String what, Function<Ops, Object> call, String... expected) {
        return Arguments.of(what, call, List.of(expected));
    }

    static Stream<Arguments> badOpInputs() {
        return Stream.of(
                bad("embedding id past the table", o -> o.embedding(f(5, 4), ids(new int[] {3}, 1, 5, 2)),
                        "token id 5 at position 1", "[0, 5)"),
                bad("embedding negative id", o -> o.embedding(f(5, 4), ids(new int[] {2}, -1, 0)),
                        "token id -1 at position 0"),
                bad("embedding float ids", o -> o.embedding(f(5, 4), f(2, 3)), "embedding", "ids must be int32",
                        "[2, 3]"),
                bad("embedding table of rank 1", o -> o.embedding(f(5), zeros(2)), "embedding", "table", "[5]"),
                bad("embedding int table", o -> o.embedding(zeros(5, 4), zeros(2)), "embedding", "table",
                        "must be float32"),
                bad("linear widths differ", o -> o.linear(f(2, 3, 4), f(6, 5), null), "linear", "[2, 3, 4]",
                        "[6, 5]"),
                bad("linear bias shape", o -> o.linear(f(2, 4), f(6, 4), f(5)), "linear", "bias", "[5]"),
                bad("linear weight of rank 3", o -> o.linear(f(2, 4), f(1, 6, 4), null), "linear", "weight"),
                bad("linear scalar x", o -> o.linear(f(), f(6, 1), null), "linear", "x []"),
                bad("linear int x", o -> o.linear(zeros(2, 4), f(6, 4), null), "linear", "x must be float32"),
                bad("layer norm gamma shape", o -> o.layerNorm(f(2, 4), f(5), null, 1e-5f), "layerNorm", "gamma",
                        "[5]"),
                bad("layer norm beta shape", o -> o.layerNorm(f(2, 4), f(4), f(3), 1e-5f), "layerNorm", "beta",
                        "[3]"),
                bad("layer norm scalar x", o -> o.layerNorm(f(), f(1), null, 1e-5f), "layerNorm", "x", "[]"),
                bad("layer norm negative eps", o -> o.layerNorm(f(2, 4), f(4), null, -1e-5f), "eps must be >= 0",
                        "-1.0E-5"),
                bad("layer norm NaN eps", o -> o.layerNorm(f(2, 4), f(4), null, Float.NaN), "eps must be >= 0",
                        "NaN"),
                bad("add shapes", o -> o.add(f(2, 3, 4), f(3)), "add", "[3]", "[2, 3, 4]"),
                bad("add int", o -> o.add(f(2, 4), zeros(2, 4)), "add", "b must be float32"),
                bad("split uneven", o -> o.split(f(2, 6), 4), "split", "[2, 6]", "4 equal parts"),
                bad("split into 0", o -> o.split(f(2, 6), 0), "split", "0 equal parts"),
                bad("split scalar", o -> o.split(f(), 1), "split", "[]"),
                bad("concat batch differs", o -> o.concatTime(f(2, 3, 4), f(1, 1, 4)), "concatTime", "[2, 3, 4]",
                        "[1, 1, 4]"),
                bad("concat width differs", o -> o.concatTime(f(2, 3, 4), f(2, 1, 5)), "concatTime", "[2, 1, 5]"),
                bad("concat rank 1", o -> o.concatTime(f(3), f(1)), "concatTime", "[3]"),
                bad("dropout p = 1", o -> o.dropout(f(2, 4), 1f), "dropout", "p must be in [0, 1)"),
                bad("dropout negative p", o -> o.dropout(f(2, 4), -0.1f), "dropout", "-0.1"),
                bad("attention heads do not divide", o -> o.attention(f(1, 3, 6), f(1, 3, 6), f(1, 3, 6), 4, false,
                        null), "attention", "6", "4 heads"),
                bad("attention zero heads", o -> o.attention(f(1, 3, 6), f(1, 3, 6), f(1, 3, 6), 0, false, null),
                        "attention", "0 heads"),
                bad("attention q of rank 2", o -> o.attention(f(3, 6), f(1, 3, 6), f(1, 3, 6), 2, false, null),
                        "attention", "q", "[3, 6]"),
                bad("attention v shape", o -> o.attention(f(1, 3, 6), f(1, 3, 6), f(1, 2, 6), 2, false, null),
                        "attention", "v", "[1, 2, 6]"),
                bad("attention batch differs", o -> o.attention(f(2, 3, 6), f(1, 3, 6), f(1, 3, 6), 2, false, null),
                        "attention", "[2, 3, 6]", "[1, 3, 6]"),
                bad("attention causal with more queries", o -> o.attention(f(1, 4, 6), f(1, 3, 6), f(1, 3, 6), 2,
                        true, null), "attention", "causal", "(3)", "(4)"),
                bad("attention mask shape", o -> o.attention(f(1, 3, 6), f(1, 3, 6), f(1, 3, 6), 2, false,
                        zeros(1, 4)), "attention", "keyMask", "[1, 4]"),
                bad("attention float mask", o -> o.attention(f(1, 3, 6), f(1, 3, 6), f(1, 3, 6), 2, false,
                        f(1, 3)), "attention", "keyMask must be int32"),
                bad("cross-entropy target past vocab", o -> o.crossEntropy(f(1, 2, 5), ids(new int[] {1, 2}, 0, 5),
                        -100), "target 5 at row 1", "[0, 5)"),
                bad("cross-entropy negative target", o -> o.crossEntropy(f(1, 2, 5), ids(new int[] {1, 2}, -3, 0),
                        -100), "target -3 at row 0"),
                bad("cross-entropy targets shape", o -> o.crossEntropy(f(1, 2, 5), zeros(1, 3), -100),
                        "crossEntropy", "[1, 3]", "[1, 2, 5]"),
                bad("cross-entropy float targets", o -> o.crossEntropy(f(1, 2, 5), f(1, 2), -100), "crossEntropy",
                        "targets must be int32"),
                bad("cross-entropy scalar logits", o -> o.crossEntropy(f(), zeros(1), -100), "crossEntropy",
                        "logits", "[]"),
                bad("a tensor of another backend", o -> o.relu(HostTensor.zeros(Shape.of(2))), "relu",
                        "not a tensor of the cpu backend"),
                bad("a null tensor", o -> o.gelu(null), "gelu", "x is null"),
                bad("int64 ids beyond int32", o -> o.constant(HostTensor.ofLongs(Shape.of(2), new long[] {3,
                        1L << 40})), "1099511627776", "index 1", "int32"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badOpInputs")
    void badOpInputIsRefusedNamingTheProblem(String what, Function<Ops, Object> call, List<String> expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> call.apply(OPS), what);
        for (String part : expected) {
            assertTrue(e.getMessage().contains(part), () -> "expected \"" + part + "\" in: " + e.getMessage());
        }
    }

    private static String refusal(Runnable r) {
        return assertThrows(IllegalArgumentException.class, r::run).getMessage();
    }

    @Test
    void gptForwardRefusesIdsOutsideTheVocabularyLongInputsAndEmptyOnes() {
        GptModel model = new GptModel(TinyModels.gptPreLn(SMALL).build());
        GptModel sinusoidal = new GptModel(TinyModels.gptPostLn(SMALL).build());
        try (LoadedWeights w = ENGINE.load(TinyModels.gradientWeights(model.parameterSpecs(), 1));
             LoadedWeights ws = ENGINE.load(TinyModels.gradientWeights(sinusoidal.parameterSpecs(), 1))) {
            String past = refusal(() -> model.logits(OPS, w, ids(new int[] {1, 3}, 1, SMALL.vocab(), 2)));
            assertTrue(past.contains("token id " + SMALL.vocab() + " at position 1"), past);
            String negative = refusal(() -> model.logits(OPS, w, ids(new int[] {2, 2}, 0, 1, 2, -4)));
            assertTrue(negative.contains("token id -4 at position 3"), negative);

            int[] tooLong = new int[SMALL.context() + 1];
            for (GptModel m : List.of(model, sinusoidal)) {
                LoadedWeights weights = m == model ? w : ws;
                String longer = refusal(() -> m.logits(OPS, weights, ids(new int[] {1, tooLong.length}, tooLong)));
                assertTrue(longer.contains("exceed the model's context length " + SMALL.context()), longer);
                try (KvCache cache = m.newCache()) {
                    m.logits(OPS, weights, ids(new int[] {1, 6}, 1, 2, 3, 4, 5, 6), cache, null);
                    String past8 = refusal(() -> m.logits(OPS, weights, ids(new int[] {1, 3}, 1, 2, 3), cache, null));
                    assertTrue(past8.contains("positions 6..8 exceed the model's context length 8"), past8);
                    assertEquals(6, cache.length(), "a refused step leaves the cache as it was");
                }
                String empty = refusal(() -> m.logits(OPS, weights, ids(new int[] {1, 0})));
                assertTrue(empty.contains("has no tokens"), empty);
            }
        }
    }

    @Test
    void seq2seqForwardRefusesBadSourcesAndTargets() {
        Seq2SeqModel model = new Seq2SeqModel(TinyModels.seq2seqPostLn(SMALL).build());
        try (LoadedWeights w = ENGINE.load(TinyModels.gradientWeights(model.parameterSpecs(), 2))) {
            String src = refusal(() -> model.encode(OPS, w, ids(new int[] {1, 3}, 1, 2, 11), null));
            assertTrue(src.contains("token id 11 at position 2"), src);
            Tensor memory = model.encode(OPS, w, ids(new int[] {1, 3}, 1, 2, 3), null);
            String tgt = refusal(() -> model.decode(OPS, w, ids(new int[] {1, 2}, -1, 2), memory, null, null));
            assertTrue(tgt.contains("token id -1 at position 0"), tgt);
            int[] nine = {1, 2, 3, 4, 5, 6, 7, 8, 9};
            String longSource = refusal(() -> model.encode(OPS, w, ids(new int[] {1, 9}, nine), null));
            assertTrue(longSource.contains("exceed the model's context length 8"), longSource);
            String emptyTarget = refusal(() -> model.decode(OPS, w, ids(new int[] {1, 0}), memory, null, null));
            assertTrue(emptyTarget.contains("no tokens"), emptyTarget);
            String mask = refusal(() -> model.encode(OPS, w, ids(new int[] {1, 3}, 1, 2, 3), zeros(1, 4)));
            assertTrue(mask.contains("keyMask") && mask.contains("[1, 4]"), mask);
        }
    }

    @Test
    void aBadTargetInTrainingIsRefusedAndLeavesTheProgramAsItWas() {
        GptModel model = new GptModel(TinyModels.gptPreLn(SMALL).build());
        Map<String, HostTensor> weights = TinyModels.gradientWeights(model.parameterSpecs(), 3);
        Batch good = TinyModels.gptBatch(SMALL.vocab(), 2, 7, 1);
        Map<String, HostTensor> badTensors = new LinkedHashMap<>(good.tensors());
        int[] targets = good.get("targets").ints().clone();
        targets[3] = SMALL.vocab();
        badTensors.put("targets", HostTensor.ofInts(good.get("targets").shape(), targets));
        Batch bad = new Batch(badTensors);
        try (TrainingProgram fresh = ENGINE.compileTraining(model, weights);
             TrainingProgram program = ENGINE.compileTraining(model, weights)) {
            String e = refusal(() -> program.forwardBackward(bad));
            assertTrue(e.contains("target " + SMALL.vocab() + " at row 3"), e);
            assertEquals(0.0, program.gradientNorm(), "nothing accumulated from the refused batch");
            assertEquals(fresh.forwardBackward(good), program.forwardBackward(good));
            fresh.gradients().forEach((name, g) ->
                    assertArrayEquals(g.floats(), program.gradients().get(name).floats(), name));
            String missing = refusal(() -> program.forwardBackward(new Batch(Map.of("input_ids",
                    good.get("input_ids")))));
            assertTrue(missing.contains("no tensor 'targets'"), missing);
        }
    }
}
