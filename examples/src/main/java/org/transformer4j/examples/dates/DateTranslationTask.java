package org.transformer4j.examples.dates;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A small synthetic translation task for the encoder-decoder examples: a date written in one of many human
 * ways ({@link DateStyle}, e.g. "the twenty-second of November, 2026" or "22.11.2026") is to be translated
 * into its ISO form "2026-11-22".
 *
 * <p>Dates are drawn uniformly from every valid calendar day between {@link #FIRST_DATE} and
 * {@link #LAST_DATE} (leap days included, as {@link LocalDate} knows them); the style uniformly from
 * {@link DateStyle}; then the text is kept as written (70%), lower-cased (15%) or upper-cased (15%).
 * Sources are at most {@link #MAX_SOURCE_LENGTH} characters, targets exactly {@link #TARGET_LENGTH}.
 * Every style is unambiguous, so the target is a function of the source.
 *
 * <p>Everything is deterministic for a seed: the same seed gives the same examples on every JVM
 * ({@link SplittableRandom}'s algorithm is specified, and month and weekday names are written out in
 * {@link EnglishDates} rather than taken from locale data).
 */
public final class DateTranslationTask {

    /** The first date generated: 1 January 1900. */
    public static final LocalDate FIRST_DATE = LocalDate.of(1900, 1, 1);
    /** The last date generated: 31 December 2099. */
    public static final LocalDate LAST_DATE = LocalDate.of(2099, 12, 31);
    /** No source is longer than this many characters. */
    public static final int MAX_SOURCE_LENGTH = 48;
    /** Every target ("YYYY-MM-DD") has this many characters. */
    public static final int TARGET_LENGTH = 10;

    /** Per cent of all dates reserved for the training split (see {@link #splitOf}). */
    static final int TRAIN_PERCENT = 80;
    /** Per cent of all dates reserved for the validation split; the rest (10%) is the test split's. */
    static final int VALIDATION_PERCENT = 10;

    private static final long FIRST_DAY = FIRST_DATE.toEpochDay();
    private static final long DAY_COUNT = LAST_DATE.toEpochDay() - FIRST_DAY + 1;
    private static final DateStyle[] STYLES = DateStyle.values();
    /** Most attempts per requested example when a split must find distinct sources. */
    private static final int ATTEMPTS_PER_EXAMPLE = 50;

    /** The three splits; each owns a disjoint set of dates. */
    public enum Split {
        /** Training examples. */
        TRAIN,
        /** Validation examples (model selection, early stopping). */
        VALIDATION,
        /** Held-out test examples. */
        TEST
    }

    private DateTranslationTask() {
    }

    /**
     * {@code count} independent examples for {@code seed}: each a uniform date in the full range, a uniform
     * style and a random case. Being independent draws, a source may occur more than once; use
     * {@link #splits} for distinct, disjoint sets.
     *
     * @throws IllegalArgumentException if {@code count} is negative
     */
    public static List<Pair> generate(long seed, int count) {
        List<DateSample> samples = samples(seed, count);
        List<Pair> pairs = new ArrayList<>(samples.size());
        for (DateSample s : samples) {
            pairs.add(s.pair());
        }
        return pairs;
    }

    /**
     * The same examples as {@link #generate(long, int)}, with the date and style each was made from.
     *
     * @throws IllegalArgumentException if {@code count} is negative
     */
    public static List<DateSample> samples(long seed, int count) {
        checkCount("count", count);
        SplittableRandom random = new SplittableRandom(seed);
        List<DateSample> samples = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            samples.add(sample(randomDate(random), random));
        }
        return samples;
    }

    /**
     * Train, validation and test examples for {@code seed}, disjoint by source text and by date.
     *
     * <p>Choice made: the calendar days are divided once per seed into three fixed pools (about
     * {@value #TRAIN_PERCENT}% train, {@value #VALIDATION_PERCENT}% validation, the rest test; see
     * {@link #splitOf}) and each split draws only from its pool. So the test split shares no underlying date
     * with the training split (nor with validation), which measures generalisation to unseen dates rather
     * than to unseen spellings of seen dates; and as the source determines the date, no source appears in
     * two splits. Within one split the sources are all distinct. Each split has its own random stream, so
     * changing the size of one split does not change the examples of the others.
     *
     * @throws IllegalArgumentException if a count is negative, or so large that a split runs out of distinct
     *                                  sources (far above 300,000 for the validation or test split)
     */
    public static DateSplits splits(long seed, int train, int validation, int test) {
        checkCount("train", train);
        checkCount("validation", validation);
        checkCount("test", test);
        return new DateSplits(split(seed, Split.TRAIN, train), split(seed, Split.VALIDATION, validation),
                split(seed, Split.TEST, test));
    }

    /**
     * The split whose pool holds {@code date} for {@code seed}: a fixed pseudo-random function of the seed and
     * the date, so the pools are the same whatever sizes are asked for.
     *
     * @throws IllegalArgumentException if the date is outside {@link #FIRST_DATE}..{@link #LAST_DATE}
     */
    public static Split splitOf(long seed, LocalDate date) {
        checkInRange(date);
        long h = mix(seed ^ mix(date.toEpochDay() + 0x632BE59BD9B4E019L));
        int bucket = (int) Long.remainderUnsigned(h, 100);
        if (bucket < TRAIN_PERCENT) {
            return Split.TRAIN;
        }
        return bucket < TRAIN_PERCENT + VALIDATION_PERCENT ? Split.VALIDATION : Split.TEST;
    }

    /** One example for {@code date}: a uniform style and a random case drawn from {@code random}. */
    public static DateSample sample(LocalDate date, SplittableRandom random) {
        DateStyle style = STYLES[random.nextInt(STYLES.length)];
        return new DateSample(date, style, write(date, style, random));
    }

    /**
     * {@code date} written in {@code style}, with the random choices of that style (zero padding) and a random
     * case taken from {@code random}.
     *
     * @throws IllegalArgumentException if the date is outside {@link #FIRST_DATE}..{@link #LAST_DATE}
     */
    public static String write(LocalDate date, DateStyle style, SplittableRandom random) {
        checkInRange(date);
        int d = date.getDayOfMonth();
        int m = date.getMonthValue();
        int y = date.getYear();
        String month = EnglishDates.monthName(date.getMonth());
        String mon = EnglishDates.monthAbbreviation(date.getMonth());
        String text = switch (style) {
            case DAY_MONTH_YEAR -> d + " " + month + " " + y;
            case MONTH_DAY_COMMA_YEAR -> month + " " + d + ", " + y;
            case ABBREVIATED_MONTH_DAY_COMMA_YEAR -> mon + " " + d + ", " + y;
            case DAY_ABBREVIATED_MONTH_YEAR -> d + " " + mon + " " + y;
            case DAY_SLASH_MONTH_SLASH_YEAR -> dayFirstNumeric(d, m, y, '/', random.nextBoolean());
            case DAY_DOT_MONTH_DOT_YEAR -> dayFirstNumeric(d, m, y, '.', random.nextBoolean());
            case YEAR_SLASH_MONTH_SLASH_DAY -> String.format(Locale.ROOT, "%d/%02d/%02d", y, m, d);
            case YEAR_DOT_MONTH_DOT_DAY -> String.format(Locale.ROOT, "%d.%02d.%02d", y, m, d);
            case THE_ORDINAL_WORDS_OF_MONTH_YEAR ->
                    "the " + EnglishDates.ordinalWords(d) + " of " + month + ", " + y;
            case ORDINAL_WORDS_MONTH_YEAR -> EnglishDates.ordinalWords(d) + " " + month + " " + y;
            case WEEKDAY_DAY_MONTH_YEAR ->
                    EnglishDates.weekdayName(date.getDayOfWeek()) + ", " + d + " " + month + " " + y;
            case ABBREVIATED_WEEKDAY_MONTH_DAY_YEAR ->
                    EnglishDates.weekdayAbbreviation(date.getDayOfWeek()) + ", " + mon + " " + d + ", " + y;
            case DAY_DASH_ABBREVIATED_MONTH_DASH_YEAR -> d + "-" + mon + "-" + y;
            case UPPER_ABBREVIATED_MONTH_DAY_YEAR -> mon.toUpperCase(Locale.ROOT) + " " + d + " " + y;
            case ORDINAL_OF_MONTH_YEAR -> EnglishDates.ordinalNumeral(d) + " of " + month + " " + y;
            case MONTH_THE_ORDINAL_YEAR -> month + " the " + EnglishDates.ordinalNumeral(d) + ", " + y;
        };
        int casing = random.nextInt(100);
        if (casing < 15) {
            text = text.toLowerCase(Locale.ROOT);
        } else if (casing < 30) {
            text = text.toUpperCase(Locale.ROOT);
        }
        return text;
    }

    private static String dayFirstNumeric(int d, int m, int y, char separator, boolean zeroPad) {
        String format = zeroPad ? "%02d%c%02d%c%d" : "%d%c%d%c%d";
        return String.format(Locale.ROOT, format, d, separator, m, separator, y);
    }

    private static List<Pair> split(long seed, Split which, int count) {
        SplittableRandom random = new SplittableRandom(mix(seed + 0x9E3779B97F4A7C15L * (which.ordinal() + 1)));
        Map<String, Pair> distinct = new LinkedHashMap<>();
        long attempts = 0;
        long maxAttempts = (long) count * ATTEMPTS_PER_EXAMPLE + 1000;
        while (distinct.size() < count) {
            if (++attempts > maxAttempts) {
                throw new IllegalArgumentException("could not find " + count + " distinct " + which
                        + " examples (found " + distinct.size() + " in " + maxAttempts + " attempts): the "
                        + which + " split owns only its share of the " + DAY_COUNT
                        + " dates; ask for fewer examples");
            }
            LocalDate date = randomDate(random);
            if (splitOf(seed, date) != which) {
                continue;
            }
            DateSample s = sample(date, random);
            distinct.putIfAbsent(s.source(), s.pair());
        }
        return new ArrayList<>(distinct.values());
    }

    private static LocalDate randomDate(SplittableRandom random) {
        return LocalDate.ofEpochDay(FIRST_DAY + random.nextLong(DAY_COUNT));
    }

    private static void checkInRange(LocalDate date) {
        if (date.isBefore(FIRST_DATE) || date.isAfter(LAST_DATE)) {
            throw new IllegalArgumentException("date " + date + " is outside the task's range " + FIRST_DATE
                    + ".." + LAST_DATE);
        }
    }

    private static void checkCount(String name, int count) {
        if (count < 0) {
            throw new IllegalArgumentException(name + " count " + count + " is negative; use 0 or more");
        }
    }

    /** SplitMix64's finaliser: a well-mixed 64-bit hash of {@code z}. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
