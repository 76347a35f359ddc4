package org.transformer4j.train;

/**
 * One AdamW update (Loshchilov and Hutter), as every training backend applies it to every parameter:
 * <pre>
 *   g = gradScale · grad
 *   m = beta1·m + (1-beta1)·g ;  v = beta2·v + (1-beta2)·g²
 *   p -= lr · ( m/(1-beta1^t) / (sqrt(v/(1-beta2^t)) + eps) + weightDecay·p )   (decay only where the spec says so)
 * </pre>
 * {@code gradScale} folds gradient clipping and the 1/accumulation average into one multiply.
 * {@code t} is the step number after the increment (1 on the first step).
 *
 * @param lr the learning rate of this step
 * @param beta1 the first moment's decay, e.g. 0.9
 * @param beta2 the second moment's decay, e.g. 0.95
 * @param eps added to the second moment's root
 * @param weightDecay the decoupled decay, applied where the parameter's spec says so
 * @param gradScale the factor on the accumulated gradient (clipping and averaging)
 */
public record AdamWStep(float lr, float beta1, float beta2, float eps, float weightDecay, float gradScale) {
}
