package org.transformer4j.train;

import java.util.Map;
import org.transformer4j.data.Batch;
import org.transformer4j.tensor.HostTensor;

/**
 * The backend side of training one model: forward and backward on a batch, gradient accumulation,
 * the global gradient norm, and the fused AdamW update. The backend-neutral training loop
 * ({@code Trainer}) drives it, so schedule, clipping and accumulation behave the same on every backend.
 */
public interface TrainingProgram extends AutoCloseable {

    /**
     * Forward and backward on one micro-batch (dropout on); adds to the accumulated gradients; returns the loss.
     *
     * @param batch the micro-batch
     * @return its mean loss
     */
    float forwardBackward(Batch batch);

    /**
     * The loss on a batch without gradients or dropout.
     *
     * @param batch the batch
     * @return its mean loss
     */
    float evaluate(Batch batch);

    /**
     * The L2 norm of all accumulated gradients together.
     *
     * @return the norm
     */
    double gradientNorm();

    /**
     * Applies AdamW to every parameter with the accumulated gradients, then zeroes them.
     *
     * @param step the rate, betas, decay and gradient scale of this step
     */
    void step(AdamWStep step);

    /** Discards the accumulated gradients. */
    void zeroGradients();

    /**
     * A copy of the accumulated gradients, in the model's parameter order (zeros where nothing accumulated).
     *
     * @return the gradients by parameter name
     */
    Map<String, HostTensor> gradients();

    /**
     * Copies the accumulated gradients into {@code into}, all parameters one after another in the model's parameter
     * order (the order of {@link #weights()}); {@code into.length} must be the total parameter count. With
     * {@link #writeGradients} it lets distributed training ({@code Trainer.distributed}) average gradients between
     * replicas before {@link #gradientNorm} and {@link #step} read them.
     *
     * @param into the destination, as long as all parameters together
     * @throws UnsupportedOperationException where the backend cannot exchange gradients (the default)
     */
    default void readGradients(float[] into) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot exchange gradients with other"
                + " replicas, which distributed training needs; train distributed with backend cpu or tensorflow");
    }

    /**
     * Replaces the accumulated gradients with {@code from} (laid out as {@link #readGradients} writes it).
     *
     * @param from the gradients, as long as all parameters together
     * @throws UnsupportedOperationException where the backend cannot exchange gradients (the default)
     */
    default void writeGradients(float[] from) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot exchange gradients with other"
                + " replicas, which distributed training needs; train distributed with backend cpu or tensorflow");
    }

    /**
     * A copy of the current weights, in the model's parameter order.
     *
     * @return the weights by name
     */
    Map<String, HostTensor> weights();

    /**
     * A copy of the optimizer state.
     *
     * @return the step count and moments
     */
    OptimizerState optimizerState();

    /**
     * Replaces weights and optimizer state (resume); every parameter must be present with its shape.
     *
     * @param weights the weights by name
     * @param state the optimizer state to continue from
     */
    void restore(Map<String, HostTensor> weights, OptimizerState state);

    @Override
    void close();
}
