package org.transformer4j.examples.translate;

import java.util.ArrayList;
import java.util.List;

/**
 * Exact-match accuracy of translations: the fraction of sources whose translation equals the reference
 * target character for character.
 *
 * @param correct   translations equal to their reference
 * @param total     sources translated
 * @param mistakes  up to the first few wrong ones, for a look
 */
public record ExactMatch(int correct, int total, List<Mistake> mistakes) {
    /** Wrong translations kept for display. */
    public static final int KEPT_MISTAKES = 10;

    /** One wrong translation. */
    public record Mistake(String source, String expected, String got) {
    }

    public ExactMatch {
        mistakes = List.copyOf(mistakes);
    }

    /** Correct / total (0 for no sources). */
    public double accuracy() {
        return total == 0 ? 0 : (double) correct / total;
    }

    /**
     * Translates {@code sources} with {@code translator} and compares with {@code targets}.
     *
     * @throws IllegalArgumentException if the lists differ in size
     */
    public static ExactMatch evaluate(Translator translator, List<String> sources, List<String> targets, int batchSize) {
        if (sources.size() != targets.size()) {
            throw new IllegalArgumentException(sources.size() + " sources but " + targets.size() + " targets");
        }
        List<String> got = translator.translate(sources, batchSize);
        int correct = 0;
        List<Mistake> mistakes = new ArrayList<>();
        for (int i = 0; i < sources.size(); i++) {
            if (got.get(i).equals(targets.get(i))) {
                correct++;
            } else if (mistakes.size() < KEPT_MISTAKES) {
                mistakes.add(new Mistake(sources.get(i), targets.get(i), got.get(i)));
            }
        }
        return new ExactMatch(correct, sources.size(), mistakes);
    }

    @Override
    public String toString() {
        return String.format(java.util.Locale.ROOT, "exact match %d / %d = %.2f%%", correct, total, 100 * accuracy());
    }
}
