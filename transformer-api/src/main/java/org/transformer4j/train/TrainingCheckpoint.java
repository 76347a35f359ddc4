package org.transformer4j.train;

import java.util.Map;
import org.transformer4j.tensor.HostTensor;

/**
 * Everything an exact resume needs: weights, AdamW state, the optimizer step and the position of the
 * training batch stream. Saved as one safetensors file ({@code training_state.safetensors}) so it is
 * written atomically as a whole.
 *
 * @param weights the weights by name
 * @param optimizer AdamW's state
 * @param step the optimizer steps taken
 * @param trainPosition the next batch of the training stream
 */
public record TrainingCheckpoint(Map<String, HostTensor> weights, OptimizerState optimizer, long step, long trainPosition) {
}
