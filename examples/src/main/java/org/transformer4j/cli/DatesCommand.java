package org.transformer4j.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.transformer4j.examples.dates.DatePairsTsv;
import org.transformer4j.examples.dates.DateSplits;
import org.transformer4j.examples.dates.DateTranslationTask;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code dates}: writes the synthetic date-translation task (train/valid/test TSV files) for {@code train --task seq2seq}. */
@Command(name = "dates", mixinStandardHelpOptions = true,
        description = "Write the date-translation task (\"22 November 2026\" -> \"2026-11-22\") as train.tsv, valid.tsv and test.tsv.")
final class DatesCommand implements Callable<Integer> {
    @Option(names = "--out", defaultValue = "data/dates", description = "output directory (default: ${DEFAULT-VALUE})") Path out;
    @Option(names = "--train", defaultValue = "50000") int train;
    @Option(names = "--valid", defaultValue = "2000") int valid;
    @Option(names = "--test", defaultValue = "1000") int test;
    @Option(names = "--seed", defaultValue = "42") long seed;

    @Override
    public Integer call() {
        DateSplits splits = DateTranslationTask.splits(seed, train, valid, test);
        DatePairsTsv.write(out.resolve("train.tsv"), splits.train());
        DatePairsTsv.write(out.resolve("valid.tsv"), splits.validation());
        DatePairsTsv.write(out.resolve("test.tsv"), splits.test());
        System.out.printf("wrote %d / %d / %d pairs (train / valid / test, no date shared between splits) to %s%n",
                splits.train().size(), splits.validation().size(), splits.test().size(), out);
        return 0;
    }
}
