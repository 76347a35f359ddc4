package org.transformer4j.examples.dates;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes the date-translation data set ({@link DateTranslationTask#splits}) as {@code train.tsv},
 * {@code valid.tsv} and {@code test.tsv} into a directory.
 *
 * <pre>usage: GenerateDates &lt;output-dir&gt; [train-count [valid-count [test-count [seed]]]]</pre>
 */
public final class GenerateDates {

    /** Training examples written when no count is given. */
    public static final int DEFAULT_TRAIN = 50_000;
    /** Validation examples written when no count is given. */
    public static final int DEFAULT_VALID = 2_000;
    /** Test examples written when no count is given. */
    public static final int DEFAULT_TEST = 2_000;
    /** Seed used when none is given. */
    public static final long DEFAULT_SEED = 42;

    static final String USAGE = """
            usage: GenerateDates <output-dir> [train-count [valid-count [test-count [seed]]]]
              writes train.tsv, valid.tsv and test.tsv (source<TAB>ISO date, UTF-8) into <output-dir>
              defaults: train-count %d, valid-count %d, test-count %d, seed %d
            """.formatted(DEFAULT_TRAIN, DEFAULT_VALID, DEFAULT_TEST, DEFAULT_SEED);

    private GenerateDates() {
    }

    /** Runs the program; exits with status 2 on wrong arguments and 1 on a failure to write. */
    public static void main(String[] args) {
        int status = run(args, System.out, System.err);
        if (status != 0) {
            System.exit(status);
        }
    }

    /**
     * Does the work of {@link #main} without exiting: returns 0 on success, 2 on wrong arguments (with the
     * usage on {@code err}), 1 if the files could not be written.
     */
    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0 || args.length > 5 || args[0].equals("-h") || args[0].equals("--help")) {
            (args.length == 0 || args.length > 5 ? err : out).print(USAGE);
            return args.length == 0 || args.length > 5 ? 2 : 0;
        }
        int train;
        int valid;
        int test;
        long seed;
        try {
            train = count(args, 1, "train-count", DEFAULT_TRAIN);
            valid = count(args, 2, "valid-count", DEFAULT_VALID);
            test = count(args, 3, "test-count", DEFAULT_TEST);
            seed = args.length > 4 ? parseLong(args[4], "seed") : DEFAULT_SEED;
        } catch (IllegalArgumentException e) {
            err.println("GenerateDates: " + e.getMessage());
            err.print(USAGE);
            return 2;
        }
        Path dir = Path.of(args[0]);
        try {
            DateSplits splits = DateTranslationTask.splits(seed, train, valid, test);
            write(dir.resolve("train.tsv"), splits.train(), out);
            write(dir.resolve("valid.tsv"), splits.validation(), out);
            write(dir.resolve("test.tsv"), splits.test(), out);
        } catch (RuntimeException e) {
            err.println("GenerateDates: " + e.getMessage());
            return 1;
        }
        return 0;
    }

    private static void write(Path file, List<Pair> pairs, PrintStream out) {
        DatePairsTsv.write(file, pairs);
        out.println("wrote " + pairs.size() + " pairs to " + file);
    }

    private static int count(String[] args, int index, String name, int fallback) {
        if (args.length <= index) {
            return fallback;
        }
        long value = parseLong(args[index], name);
        if (value < 0 || value > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(name + " '" + args[index] + "' must be between 0 and "
                    + Integer.MAX_VALUE);
        }
        return (int) value;
    }

    private static long parseLong(String text, String name) {
        try {
            return Long.parseLong(text.replace("_", ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " '" + text + "' is not a whole number", e);
        }
    }
}
