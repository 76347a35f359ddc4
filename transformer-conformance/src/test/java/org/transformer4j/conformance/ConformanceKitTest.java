package org.transformer4j.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.transformer4j.backend.Engine;
import org.transformer4j.tensor.HostTensor;
import org.transformer4j.tensor.Shape;
import org.transformer4j.tensor.Tensor;
import org.transformer4j.testing.ReferenceEngine;
import org.transformer4j.testing.ReferenceOps;
import org.transformer4j.testing.ReferenceTensor;

class ConformanceKitTest {

    private static final Set<String> ATTENTION_CASES = Set.of("attention", "attention_causal",
            "attention_causal_kv_cache", "attention_key_mask", "attention_causal_key_mask");

    /** GELU with the tanh approximation instead of the exact erf form. */
    static final class TanhGeluOps extends ReferenceOps {
        @Override
        public Tensor gelu(Tensor x) {
            float[] v = x.toFloatArray();
            for (int i = 0; i < v.length; i++) {
                double u = Math.sqrt(2 / Math.PI) * (v[i] + 0.044715 * Math.pow(v[i], 3));
                v[i] = (float) (0.5 * v[i] * (1 + Math.tanh(u)));
            }
            return ReferenceTensor.ofFloats(x.shape(), v);
        }
    }

    /** Attention that forgets the 1/sqrt(d) scale: scaling q by sqrt(d) cancels the reference's scale. */
    static final class UnscaledAttentionOps extends ReferenceOps {
        @Override
        public Tensor attention(Tensor q, Tensor k, Tensor v, int heads, boolean causal, Tensor keyMask) {
            float d = q.shape().dim(2) / (float) heads;
            return super.attention(scale(q, (float) Math.sqrt(d)), k, v, heads, causal, keyMask);
        }
    }

    /** A serving-only candidate without a loss. */
    static final class NoLossOps extends ReferenceOps {
        @Override
        public Tensor crossEntropy(Tensor logits, Tensor targets, int ignoreIndex) {
            throw new UnsupportedOperationException("crossEntropy is not supported by the no-loss engine");
        }
    }

    private static ConformanceReport runAgainst(ReferenceOps candidateOps) {
        try (Engine ref = new ReferenceEngine(); Engine cand = new ReferenceEngine("candidate", candidateOps)) {
            return ConformanceKit.standard().run(ref, cand);
        }
    }

    @Test
    void referenceAgainstItselfPassesEveryCase() {
        ConformanceReport report = runAgainst(new ReferenceOps());
        assertTrue(report.passed(), report.toTable());
        assertEquals(ConformanceKit.standard().cases().size(), report.rows().size());
        assertEquals(report.rows().size(), report.count(CaseStatus.PASS), report.toTable());
        for (ConformanceReport.Row r : report.rows()) {
            assertEquals(0.0, r.maxAbsError(), r.name());
        }
        List<String> names = report.rows().stream().map(ConformanceReport.Row::name).toList();
        assertTrue(names.containsAll(List.of("embedding", "embedding_positions", "linear", "linear_no_bias", "layer_norm",
                "layer_norm_no_beta", "add", "add_broadcast_channels", "scale", "gelu", "relu", "split",
                "concat_time", "cross_entropy", "cross_entropy_ignore_index")), names.toString());
        assertTrue(names.containsAll(ATTENTION_CASES), names.toString());
    }

    @Test
    void tanhGeluFailsOnlyTheGeluCase() {
        ConformanceReport report = runAgainst(new TanhGeluOps());
        assertFalse(report.passed());
        assertEquals(CaseStatus.FAIL, report.row("gelu").status(), report.toTable());
        assertTrue(report.row("gelu").maxAbsError() > 1e-5, report.toTable());
        assertEquals(1, report.count(CaseStatus.FAIL), report.toTable());
    }

    @Test
    void attentionWithoutScaleFailsEveryAttentionCaseAndNothingElse() {
        ConformanceReport report = runAgainst(new UnscaledAttentionOps());
        for (ConformanceReport.Row r : report.rows()) {
            CaseStatus expected = ATTENTION_CASES.contains(r.name()) ? CaseStatus.FAIL : CaseStatus.PASS;
            assertEquals(expected, r.status(), r.name() + ": " + r.detail());
        }
    }

    @Test
    void unsupportedOperationIsReportedNotFailed() {
        ConformanceReport report = runAgainst(new NoLossOps());
        assertEquals(CaseStatus.NOT_SUPPORTED, report.row("cross_entropy").status());
        assertEquals(CaseStatus.NOT_SUPPORTED, report.row("cross_entropy_ignore_index").status());
        assertTrue(report.row("cross_entropy").detail().contains("no-loss engine"));
        assertTrue(report.passed(), report.toTable());
        assertEquals(2, report.count(CaseStatus.NOT_SUPPORTED));
    }

    @Test
    void wrongShapeOrExceptionFails() {
        ReferenceOps wrongShape = new ReferenceOps() {
            @Override
            public Tensor relu(Tensor x) {
                Tensor y = super.relu(x);
                return ReferenceTensor.ofFloats(Shape.of(y.shape().size()), y.toFloatArray());
            }

            @Override
            public Tensor scale(Tensor x, float factor) {
                throw new IllegalStateException("kernel crashed");
            }
        };
        ConformanceReport report = runAgainst(wrongShape);
        assertEquals(CaseStatus.FAIL, report.row("relu").status());
        assertTrue(report.row("relu").detail().contains("shapes differ"), report.row("relu").detail());
        assertEquals(CaseStatus.FAIL, report.row("scale").status());
        assertTrue(report.row("scale").detail().contains("kernel crashed"), report.row("scale").detail());
        assertEquals(2, report.count(CaseStatus.FAIL), report.toTable());
    }

    @Test
    void kitIsExtensibleAndRejectsDuplicateNames() {
        ConformanceCase extra = OpCase.of("sum_of_squares_loss", "a custom case added by another package",
                new Tolerance(0, 0, "exact"), () -> List.of(HostTensor.ofFloats(Shape.of(1, 1, 2), new float[] {3, 4})),
                (ops, in) -> new Tensor[] {ops.scale(in.get(0), 2f)});
        ConformanceKit kit = ConformanceKit.standard().with(extra);
        assertEquals(ConformanceKit.standard().cases().size() + 1, kit.cases().size());
        assertEquals("sum_of_squares_loss", kit.cases().getLast().name());
        assertThrows(IllegalArgumentException.class, () -> kit.with(extra));
        ConformanceKit only = kit.filter(c -> c.name().startsWith("sum"));
        try (Engine ref = new ReferenceEngine()) {
            ConformanceReport report = only.run(ref, ref);
            assertEquals(1, report.rows().size());
            assertEquals(CaseStatus.PASS, report.rows().getFirst().status());
        }
    }

    @Test
    void caseThatThrowsOutsideTheCandidateIsContained() {
        ConformanceCase throwing = new ConformanceCase() {
            public String name() { return "training_step"; }
            public String description() { return "needs training"; }
            public Tolerance tolerance() { return Tolerance.FLOAT32_LAYER; }
            public Need needs() { return Need.TRAINING; }
            public CaseResult run(Engine reference, Engine candidate) {
                candidate.capability(org.transformer4j.backend.TrainingEngine.class).orElseThrow(
                        () -> new UnsupportedOperationException(candidate.backendName() + " does not train"));
                return CaseResult.failed("unreachable");
            }
        };
        try (Engine ref = new ReferenceEngine()) {
            ConformanceReport report = ConformanceKit.empty().with(throwing).run(ref, ref);
            assertEquals(CaseStatus.NOT_SUPPORTED, report.row("training_step").status());
        }
    }

    @Test
    void tableAndJsonContainEveryRow() throws Exception {
        ConformanceReport report = runAgainst(new TanhGeluOps());
        String table = report.toTable();
        for (ConformanceReport.Row r : report.rows()) {
            assertTrue(table.lines().anyMatch(l -> l.startsWith(r.name() + " ") && l.contains(r.status().name())),
                    r.name() + " missing from\n" + table);
        }
        assertTrue(table.contains("1 failed"), table);
        JsonNode json = new ObjectMapper().readTree(report.toJson());
        assertEquals("reference", json.get("reference").asText());
        assertEquals("candidate", json.get("candidate").asText());
        assertFalse(json.get("passed").asBoolean());
        assertEquals(report.rows().size(), json.get("rows").size());
        JsonNode gelu = null;
        for (JsonNode row : json.get("rows")) {
            if (row.get("case").asText().equals("gelu")) {
                gelu = row;
            }
        }
        assertEquals("FAIL", gelu.get("status").asText());
        assertEquals(report.row("gelu").maxAbsError(), gelu.get("maxAbsError").asDouble());
        assertEquals(1e-4, gelu.get("tolerance").get("rel").asDouble());
        assertEquals(1, json.get("counts").get("FAIL").asInt());
    }
}
