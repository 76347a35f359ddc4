package org.transformer4j.generate;

/**
 * Sees each token of batched generation as it is chosen ({@link GptGenerator#generate(java.util.List, java.util.List,
 * BatchTokenListener)}); within a step, prompts come in increasing index order.
 */
@FunctionalInterface
public interface BatchTokenListener {

    /**
     * Called for each new token of each prompt, in generation order.
     *
     * @param prompt index of the prompt this token continues
     * @param token  the new token id
     * @return false to stop generating for this prompt (the others go on)
     */
    boolean onToken(int prompt, int token);
}
