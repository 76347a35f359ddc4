package org.transformer4j.conformance;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.transformer4j.io.TempDirectories;
import org.transformer4j.backend.Engine;
import org.transformer4j.conformance.EngineCase.Outputs;
import org.transformer4j.data.Batch;
import org.transformer4j.model.GptModel;
import org.transformer4j.model.ModelDirectory;
import org.transformer4j.tensor.HostTensor;
import org.transformer4j.tokenizer.CharTokenizer;
import org.transformer4j.train.TrainingProgram;

/**
 * Checkpoints cross backends: a GPT trained for two AdamW steps on one engine is saved as a model directory
 * ({@code config.json}, {@code model.safetensors}, {@code tokenizer.json}), loaded back, and must hold the trained
 * weights bit for bit; both engines then load it and must give the same logits. One instance trains on the
 * candidate (NOT_SUPPORTED when it does not train), the other on the reference (NOT_SUPPORTED when the reference
 * does not train, as the scalar test reference).
 */
final class CheckpointCase implements ConformanceCase {
    private static final int STEPS = 2;
    private final boolean trainOnCandidate;

    CheckpointCase(boolean trainOnCandidate) {
        this.trainOnCandidate = trainOnCandidate;
    }

    @Override
    public String name() {
        return trainOnCandidate ? "checkpoint_from_candidate" : "checkpoint_from_reference";
    }

    @Override
    public String description() {
        return "GPT (pre-LN) trained " + STEPS + " AdamW steps on the " + (trainOnCandidate ? "candidate" : "reference")
                + ", saved as a model directory and loaded back (bit-exact weights), then logits [2, 9, "
                + ModelFixtures.VOCAB + "] from that directory on both engines";
    }

    @Override
    public Tolerance tolerance() {
        return ModelCases.MODEL;
    }

    @Override
    public Need needs() {
        return trainOnCandidate ? Need.TRAINING : Need.INFERENCE;
    }

    @Override
    public CaseResult run(Engine reference, Engine candidate) {
        Engine trainer = trainOnCandidate ? candidate : reference;
        String who = (trainOnCandidate ? "the candidate '" : "the reference engine '") + trainer.backendName() + "'";
        GptModel model = ModelFixtures.gptPreLn();
        Map<String, HostTensor> trained;
        try {
            trained = train(trainer, model);
        } catch (UnsupportedOperationException e) {
            return CaseResult.notSupported(trainOnCandidate ? String.valueOf(e.getMessage())
                    : who + " does not train, so there is no checkpoint from it to load: " + e.getMessage());
        } catch (RuntimeException | AssertionError | LinkageError e) {
            return CaseResult.failed(who + " failed while training: " + e);
        }
        Path dir = null;
        try {
            dir = Files.createTempDirectory("transformer4j-conformance-");
            new ModelDirectory(model.config(), trained, CharTokenizer.fromText("abcdefghijklmnopqrstuvwxyz.")).save(dir);
            ModelDirectory loaded = ModelDirectory.load(dir);
            for (var w : trained.entrySet()) {
                if (!w.getValue().equals(loaded.weights().get(w.getKey()))) {
                    return CaseResult.failed("the saved " + ModelDirectory.WEIGHTS + " does not hold the weights "
                            + who + " trained: '" + w.getKey() + "' differs after the round trip");
                }
            }
            HostTensor ids = ModelFixtures.gptBatch().get("input_ids");
            Outputs expected;
            try {
                expected = ModelCases.gptLogits(reference, model, loaded.weights(), ids);
            } catch (RuntimeException | IOException | AssertionError | LinkageError e) {
                return CaseResult.failed("the reference engine '" + reference.backendName() + "' failed to run the "
                        + "saved checkpoint, so nothing was compared: " + e);
            }
            Outputs actual;
            try {
                actual = ModelCases.gptLogits(candidate, model, loaded.weights(), ids);
            } catch (UnsupportedOperationException e) {
                return CaseResult.notSupported(String.valueOf(e.getMessage()));
            } catch (RuntimeException | IOException | AssertionError | LinkageError e) {
                return CaseResult.failed("the candidate '" + candidate.backendName() + "' failed to run the saved "
                        + "checkpoint: " + e);
            }
            if (!actual.layout().equals(expected.layout())) {
                return CaseResult.failed("logits differ in shape: candidate " + actual.layout() + ", reference "
                        + expected.layout());
            }
            return CaseResult.compared(Comparison.of(actual.values(), expected.values(), tolerance()));
        } catch (IOException e) {
            return CaseResult.failed("saving or loading the model directory of the weights " + who + " trained "
                    + "failed: " + e.getMessage());
        } finally {
            TempDirectories.deleteQuietly(dir);
        }
    }

    private static Map<String, HostTensor> train(Engine engine, GptModel model) {
        Batch batch = ModelFixtures.gptBatch();
        try (TrainingProgram p = Capable.training(engine).compileTraining(model, ModelFixtures.weights(model, 11))) {
            for (int i = 0; i < STEPS; i++) {
                p.forwardBackward(batch);
                p.step(TrainingCases.ADAMW);
            }
            return p.weights();
        }
    }

    @Override
    public String toString() {
        return "CheckpointCase[" + name() + "]";
    }
}
