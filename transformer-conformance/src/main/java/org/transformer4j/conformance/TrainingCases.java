package org.transformer4j.conformance;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.transformer4j.conformance.ConformanceCase.Need;
import org.transformer4j.conformance.EngineCase.Builder;
import org.transformer4j.conformance.EngineCase.Outputs;
import org.transformer4j.backend.Engine;
import org.transformer4j.data.Batch;
import org.transformer4j.nn.TrainableModel;
import org.transformer4j.tensor.HostTensor;
import org.transformer4j.train.AdamWStep;
import org.transformer4j.train.TrainingProgram;

/**
 * Training cases, for candidates that train: the loss and every gradient of one forward/backward, and the weights
 * and loss after one AdamW step, for both architectures. A candidate whose {@code compileTraining} throws
 * {@link UnsupportedOperationException} is reported NOT_SUPPORTED.
 */
final class TrainingCases {
    /** Gradients: sums over the batch and back through every layer, each in the backend's own order. */
    static final Tolerance GRADIENTS = new Tolerance(1e-5, 1e-3, "float32 backward through 2 blocks: gradients are"
            + " sums over batch and positions in each backend's own order, and near-zero ones cancel");
    /**
     * After one AdamW step a weight moves by about {@code lr} (the first step is {@code g/(|g|+eps)}), so the slack
     * is the forward's relative one plus a small absolute part for that move.
     */
    static final Tolerance STEP = new Tolerance(1e-5, 1e-4, "float32 weights moved by one AdamW step of lr 1e-2;"
            + " eps 1e-4 keeps gradients that are float noise (e.g. the exactly-zero true gradient of attention key"
            + " biases, ~1e-8 in each backend's own rounding) from turning into backend-specific moves");
    /** lr 1e-2, betas 0.9/0.95, eps 1e-4, weight decay 0.1, gradients scaled by 0.5 (clipping folded in). */
    static final AdamWStep ADAMW = new AdamWStep(1e-2f, 0.9f, 0.95f, 1e-4f, 0.1f, 0.5f);

    private TrainingCases() {
    }

    static List<ConformanceCase> all() {
        List<ConformanceCase> cases = new ArrayList<>();
        Batch gb = ModelFixtures.gptBatch();
        Batch sb = ModelFixtures.seq2seqBatch();
        cases.add(EngineCase.of("gpt_gradients", "GPT (pre-LN) training loss and the gradient of every weight after"
                + " one forward/backward on a [2, 9] batch", GRADIENTS, Need.TRAINING,
                e -> gradients(e, ModelFixtures.gptPreLn(), 11, gb)));
        cases.add(EngineCase.of("gpt_gradients_post_ln", "GPT (post-LN, sinusoidal, tied) training loss and "
                + "gradients", GRADIENTS, Need.TRAINING, e -> gradients(e, ModelFixtures.gptPostLn(), 12, gb)));
        cases.add(EngineCase.of("seq2seq_gradients", "encoder-decoder (post-LN) training loss and the gradient of "
                + "every weight, padded sources, ignored targets", GRADIENTS, Need.TRAINING,
                e -> gradients(e, ModelFixtures.seq2seqPostLn(), 21, sb)));
        cases.add(EngineCase.of("gpt_adamw_step", "GPT (pre-LN) weights and evaluation loss after one AdamW step "
                + "(lr 1e-2, betas 0.9/0.95, eps 1e-4, weight decay 0.1 on matrices, gradient scale 0.5)", STEP,
                Need.TRAINING, e -> oneStep(e, ModelFixtures.gptPreLn(), 11, gb)));
        cases.add(EngineCase.of("seq2seq_adamw_step", "encoder-decoder (pre-LN) weights and evaluation loss after "
                + "one AdamW step", STEP, Need.TRAINING, e -> oneStep(e, ModelFixtures.seq2seqPreLn(), 22, sb)));
        cases.add(new CheckpointCase(true));
        cases.add(new CheckpointCase(false));
        return cases;
    }

    static Outputs gradients(Engine e, TrainableModel model, long seed, Batch batch) {
        return gradients(e, model, ModelFixtures.weights(model, seed), batch);
    }

    static Outputs gradients(Engine e, TrainableModel model, Map<String, HostTensor> weights, Batch batch) {
        try (TrainingProgram p = Capable.training(e).compileTraining(model, weights)) {
            float loss = p.forwardBackward(batch);
            Builder b = new Builder().add("training loss", loss);
            for (Map.Entry<String, HostTensor> g : p.gradients().entrySet()) {
                b.add("d " + g.getKey() + " " + g.getValue().shape(), g.getValue().floats());
            }
            return b.build();
        }
    }

    static Outputs oneStep(Engine e, TrainableModel model, long seed, Batch batch) {
        try (TrainingProgram p = Capable.training(e).compileTraining(model, ModelFixtures.weights(model, seed))) {
            p.forwardBackward(batch);
            p.step(ADAMW);
            Builder b = new Builder();
            for (Map.Entry<String, HostTensor> w : p.weights().entrySet()) {
                b.add(w.getKey() + " " + w.getValue().shape(), w.getValue().floats());
            }
            return b.add("evaluation loss after the step", p.evaluate(batch)).build();
        }
    }
}
