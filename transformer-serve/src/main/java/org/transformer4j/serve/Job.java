package org.transformer4j.serve;

import java.util.List;
import org.transformer4j.generate.GenerationOptions;

/**
 * A validated request, ready to run: its prompts (token ids, with their text for {@code echo}), how many choices per
 * prompt, the generation options of choice 0 (choice {@code j} of a prompt samples with {@code seed + j}), and how
 * to answer (chat or completion shape, streamed or not, log-probabilities, usage in the stream).
 *
 * @param topLogprobs -1 when log-probabilities were not asked for, else the number of alternatives per token
 */
record Job(boolean chat, List<int[]> prompts, List<String> promptTexts, int n, GenerationOptions options,
           int topLogprobs, boolean echo, boolean stream, boolean includeUsage) {

    int choices() {
        return prompts.size() * n;
    }

    int promptTokens() {
        int total = 0;
        for (int[] p : prompts) {
            total += p.length;
        }
        return total;
    }
}
