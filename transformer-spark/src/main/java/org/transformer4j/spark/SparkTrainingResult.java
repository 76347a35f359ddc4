package org.transformer4j.spark;

import java.util.List;
import org.transformer4j.model.GptConfig;
import org.transformer4j.tokenizer.CharTokenizer;
import org.transformer4j.train.TrainingCheckpoint;
import org.transformer4j.train.TrainingListener;

/**
 * The outcome of {@link SparkTrainer#train}: the trained state (the newest checkpoint, written by rank 0 at the last
 * step), the model and tokenizer to save it with, and the metrics of the stage attempt that finished.
 *
 * @param model        the GPT trained, with the text's vocabulary size
 * @param tokenizer    the character tokenizer of the text
 * @param finalState   weights, optimizer state, step and data position after the last step
 * @param attempt      the barrier stage attempt that finished (0 when no worker failed)
 * @param resumedFrom  the step that attempt started from (0, or the checkpoint a retried stage resumed from)
 * @param losses       the mean training loss of each step from {@code resumedFrom + 1} on (over all replicas)
 * @param evaluations  the loss estimates of that attempt (means over all replicas)
 */
public record SparkTrainingResult(GptConfig model, CharTokenizer tokenizer, TrainingCheckpoint finalState, int attempt,
                                  long resumedFrom, float[] losses, List<TrainingListener.EvalMetrics> evaluations) {
}
