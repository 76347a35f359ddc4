package org.transformer4j.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.transformer4j.backend.Engine;
import org.transformer4j.backend.InferenceEngine;
import org.transformer4j.backend.TrainingEngine;
import org.transformer4j.backend.EngineOptions;
import org.transformer4j.backend.LoadedWeights;
import org.transformer4j.conformance.CaseStatus;
import org.transformer4j.conformance.ConformanceCase;
import org.transformer4j.conformance.ConformanceKit;
import org.transformer4j.conformance.ConformanceReport;
import org.transformer4j.data.Batch;
import org.transformer4j.nn.Ops;
import org.transformer4j.nn.TrainableModel;
import org.transformer4j.tensor.HostTensor;
import org.transformer4j.testing.ReferenceEngine;
import org.transformer4j.train.AdamWStep;
import org.transformer4j.train.OptimizerState;
import org.transformer4j.train.TrainingProgram;

/**
 * The complete conformance kit on the cpu backend: against the scalar reference (every inference case passes; the
 * training cases the reference cannot run are NOT_SUPPORTED), against itself with another thread count (every case
 * passes, training included), and against deliberately broken training to show the training cases can fail.
 */
class CpuCompleteConformanceTest {
    private static final Set<String> NEEDS_TRAINING_REFERENCE = Set.of("gpt_gradients", "gpt_gradients_post_ln",
            "seq2seq_gradients", "gpt_adamw_step", "seq2seq_adamw_step", "checkpoint_from_reference");

    private static ConformanceReport againstReference;
    private static ConformanceReport againstCpu;

    @BeforeAll
    static void runKits() {
        try (TrainingEngine cpu = new CpuBackend().open(EngineOptions.defaults().withThreads(2));
             TrainingEngine cpu1 = new CpuBackend().open(EngineOptions.defaults().withThreads(1));
             InferenceEngine reference = new ReferenceEngine()) {
            againstReference = ConformanceKit.complete().run(reference, cpu);
            againstCpu = ConformanceKit.complete().run(cpu1, cpu);
        }
        System.out.println(againstReference.toTable());
        System.out.println(againstCpu.toTable());
    }

    @Test
    void completeKitExtendsTheStandardOne() {
        var standard = ConformanceKit.standard().cases().stream().map(ConformanceCase::name).toList();
        var complete = ConformanceKit.complete().cases().stream().map(ConformanceCase::name).toList();
        assertEquals(standard, complete.subList(0, standard.size()));
        assertTrue(complete.containsAll(NEEDS_TRAINING_REFERENCE), complete.toString());
        assertTrue(complete.containsAll(Set.of("gpt_logits", "seq2seq_logits", "gpt_loss", "seq2seq_loss",
                "gpt_kv_cache", "seq2seq_kv_cache", "gpt_greedy", "gpt_beam", "seq2seq_greedy", "seq2seq_beam",
                "checkpoint_from_candidate", "bad_embedding_id_past_vocab", "bad_gpt_token_past_vocab")),
                complete.toString());
    }

    @Test
    void everyCaseTheScalarReferenceCanRunPasses() {
        for (ConformanceReport.Row r : againstReference.rows()) {
            if (NEEDS_TRAINING_REFERENCE.contains(r.name())) {
                assertEquals(CaseStatus.NOT_SUPPORTED, r.status(), r.name() + ": " + r.detail());
                assertTrue(r.detail().contains("reference"), r.detail());
            } else {
                assertEquals(CaseStatus.PASS, r.status(), r.name() + ": " + r.detail());
            }
        }
        assertTrue(againstReference.passed(), againstReference.toTable());
    }

    @Test
    void everyCasePassesAgainstTheCpuBackendWithOneThread() {
        for (ConformanceReport.Row r : againstCpu.rows()) {
            assertEquals(CaseStatus.PASS, r.status(), r.name() + ": " + r.detail());
            if (!r.name().startsWith("bad_")) {
                assertNotNull(r.maxAbsError(), r.name() + " compared no numbers");
            }
        }
    }

    /** An engine that passes everything to the cpu engine but changes what its training programs do. */
    private record AlteredTraining(TrainingEngine cpu, UnaryOperator<TrainingProgram> alter) implements TrainingEngine {
        public String backendName() {
            return "altered";
        }

        public Ops inferenceOps() {
            return cpu.inferenceOps();
        }

        public LoadedWeights load(Map<String, HostTensor> weights) {
            return cpu.load(weights);
        }

        public TrainingProgram compileTraining(TrainableModel model, Map<String, HostTensor> weights) {
            return alter.apply(cpu.compileTraining(model, weights));
        }

        public void close() {
        }
    }

    /** Delegates everything; subclasses override what they break. */
    private static class Delegating implements TrainingProgram {
        final TrainingProgram p;

        Delegating(TrainingProgram p) {
            this.p = p;
        }

        public float forwardBackward(Batch batch) {
            return p.forwardBackward(batch);
        }

        public float evaluate(Batch batch) {
            return p.evaluate(batch);
        }

        public double gradientNorm() {
            return p.gradientNorm();
        }

        public void step(AdamWStep step) {
            p.step(step);
        }

        public void zeroGradients() {
            p.zeroGradients();
        }

        public Map<String, HostTensor> gradients() {
            return p.gradients();
        }

        public Map<String, HostTensor> weights() {
            return p.weights();
        }

        public OptimizerState optimizerState() {
            return p.optimizerState();
        }

        public void restore(Map<String, HostTensor> weights, OptimizerState state) {
            p.restore(weights, state);
        }

        public void close() {
            p.close();
        }
    }

    private static ConformanceReport trainingCasesAgainst(UnaryOperator<TrainingProgram> alter) {
        ConformanceKit training = ConformanceKit.complete().filter(c -> c.needs() == ConformanceCase.Need.TRAINING);
        try (TrainingEngine cpu = new CpuBackend().open(EngineOptions.defaults().withThreads(1))) {
            return training.run(cpu, new AlteredTraining(cpu, alter));
        }
    }

    @Test
    void anOptimizerThatIgnoresWeightDecayFailsTheStepCasesOnly() {
        ConformanceReport r = trainingCasesAgainst(p -> new Delegating(p) {
            @Override
            public void step(AdamWStep s) {
                p.step(new AdamWStep(s.lr(), s.beta1(), s.beta2(), s.eps(), 0f, s.gradScale()));
            }
        });
        assertEquals(CaseStatus.FAIL, r.row("gpt_adamw_step").status(), r.toTable());
        assertEquals(CaseStatus.FAIL, r.row("seq2seq_adamw_step").status(), r.toTable());
        assertEquals(CaseStatus.PASS, r.row("gpt_gradients").status(), r.toTable());
        assertEquals(CaseStatus.PASS, r.row("seq2seq_gradients").status(), r.toTable());
        // Trained on another path, the checkpoint still runs the same on both engines: that case checks the file.
        assertEquals(CaseStatus.PASS, r.row("checkpoint_from_candidate").status(), r.toTable());
    }

    @Test
    void gradientsThatMissTheBatchMeanFailTheGradientCases() {
        ConformanceReport r = trainingCasesAgainst(p -> new Delegating(p) {
            @Override
            public Map<String, HostTensor> gradients() {
                Map<String, HostTensor> g = new java.util.LinkedHashMap<>();
                p.gradients().forEach((k, v) -> {
                    float[] f = v.floats().clone();
                    for (int i = 0; i < f.length; i++) {
                        f[i] *= 1.01f;
                    }
                    g.put(k, HostTensor.ofFloats(v.shape(), f));
                });
                return g;
            }
        });
        assertEquals(CaseStatus.FAIL, r.row("gpt_gradients").status(), r.toTable());
        assertEquals(CaseStatus.FAIL, r.row("gpt_gradients_post_ln").status(), r.toTable());
        assertEquals(CaseStatus.FAIL, r.row("seq2seq_gradients").status(), r.toTable());
    }

    @Test
    void aCandidateThatDoesNotTrainIsNotSupportedNotFailed() {
        ConformanceReport r = trainingCasesAgainst(p -> {
            p.close();
            throw new UnsupportedOperationException("the altered engine serves only");
        });
        assertEquals(r.rows().size(), r.count(CaseStatus.NOT_SUPPORTED), r.toTable());
        assertTrue(r.passed());
        assertTrue(r.row("checkpoint_from_candidate").detail().contains("serves only"), r.toTable());
    }
}
