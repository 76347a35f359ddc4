package org.transformer4j.examples.dates;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.LocalDate;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class DateTranslationTaskTest {

    private static final List<DateSample> SAMPLES = DateTranslationTask.samples(2026, 10_000);

    @Test
    void sameSeedGivesSameExamplesAndAnotherSeedOthers() {
        List<Pair> a = DateTranslationTask.generate(7, 500);
        assertEquals(a, DateTranslationTask.generate(7, 500));
        assertNotEquals(a, DateTranslationTask.generate(8, 500));
        assertEquals(500, a.size());
        assertEquals(DateTranslationTask.splits(3, 300, 50, 50), DateTranslationTask.splits(3, 300, 50, 50));
    }

    @Test
    void everyTargetIsTheIsoFormOfTheDateItWasMadeFrom() {
        for (DateSample s : SAMPLES) {
            Pair p = s.pair();
            assertEquals(10, p.target().length(), p.toString());
            assertEquals(s.date(), LocalDate.parse(p.target()), p.toString());
            assertTrue(p.source().length() <= DateTranslationTask.MAX_SOURCE_LENGTH, p.toString());
        }
    }

    @Test
    void everySourceReadsBackToItsTargetByAnIndependentReader() {
        for (DateSample s : SAMPLES) {
            assertEquals(s.date(), ReferenceDateReader.read(s.source()), s.toString());
        }
    }

    @Test
    void theTargetIsAFunctionOfTheSource() {
        Map<String, String> seen = new HashMap<>();
        for (Pair p : DateTranslationTask.generate(11, 30_000)) {
            String before = seen.putIfAbsent(p.source(), p.target());
            assertTrue(before == null || before.equals(p.target()),
                    "'" + p.source() + "' maps to both " + before + " and " + p.target());
        }
    }

    @Test
    void everyStyleAndBothCaseChangesAppearIn10000Samples() {
        Set<DateStyle> styles = EnumSet.noneOf(DateStyle.class);
        int lower = 0;
        int upper = 0;
        for (DateSample s : SAMPLES) {
            styles.add(s.style());
            if (s.source().matches(".*[a-z].*") && s.source().equals(s.source().toLowerCase(Locale.ROOT))) {
                lower++;
            }
            if (s.source().matches(".*[a-z].*[a-z].*") == false && s.source().matches(".*[A-Z]{4,}.*")) {
                upper++;
            }
        }
        assertEquals(EnumSet.allOf(DateStyle.class), styles);
        assertTrue(DateStyle.values().length >= 12);
        assertTrue(lower > 500, "lower-case sources: " + lower);
        assertTrue(upper > 500, "upper-case sources: " + upper);
    }

    @Test
    void datesCoverTheWholeRangeOfYearsAndLeapDaysOnlyInLeapYears() {
        Set<Integer> years = new HashSet<>();
        int leapDays = 0;
        for (DateSample s : DateTranslationTask.samples(5, 20_000)) {
            LocalDate d = s.date();
            years.add(d.getYear());
            if (d.getMonthValue() == 2 && d.getDayOfMonth() == 29) {
                leapDays++;
                int y = d.getYear();
                assertTrue(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0), "29 February in " + y);
                assertTrue(y != 1900, "1900 was not a leap year");
            }
        }
        for (int y = 1900; y <= 2099; y++) {
            assertTrue(years.contains(y), "no date in " + y);
        }
        assertTrue(leapDays > 0, "no 29 February in 20,000 dates");
    }

    @Test
    void weekdaysOfKnownDates() {
        SplittableRandom random = new SplittableRandom(1);
        assertWeekday("sunday", LocalDate.of(2026, 11, 22), random);
        assertWeekday("tuesday", LocalDate.of(2000, 2, 29), random);
        assertWeekday("monday", LocalDate.of(1900, 1, 1), random);
        assertWeekday("thursday", LocalDate.of(2099, 12, 31), random);
        assertWeekday("sunday", LocalDate.of(1969, 7, 20), random);
        // and the independent reference agrees on the same dates
        assertEquals("sunday", ReferenceDateReader.zellerWeekday(2026, 11, 22));
        assertEquals("tuesday", ReferenceDateReader.zellerWeekday(2000, 2, 29));
        assertEquals("monday", ReferenceDateReader.zellerWeekday(1900, 1, 1));
    }

    private static void assertWeekday(String weekday, LocalDate date, SplittableRandom random) {
        String full = DateTranslationTask.write(date, DateStyle.WEEKDAY_DAY_MONTH_YEAR, random)
                .toLowerCase(Locale.ROOT);
        assertTrue(full.startsWith(weekday + ", "), full);
        String shortForm = DateTranslationTask.write(date, DateStyle.ABBREVIATED_WEEKDAY_MONTH_DAY_YEAR, random)
                .toLowerCase(Locale.ROOT);
        assertTrue(shortForm.startsWith(weekday.substring(0, 3) + ", "), shortForm);
    }

    @Test
    void stylesWriteTheDocumentedExample() {
        LocalDate date = LocalDate.of(2026, 11, 22);
        for (DateStyle style : DateStyle.values()) {
            boolean found = false;
            SplittableRandom random = new SplittableRandom(99);
            for (int i = 0; i < 200 && !found; i++) {
                found = DateTranslationTask.write(date, style, random).equals(style.example());
            }
            assertTrue(found, style + " never wrote " + style.example());
        }
        assertEquals("the thirty-first of December, 2099", DateTranslationTask.write(
                LocalDate.of(2099, 12, 31), DateStyle.THE_ORDINAL_WORDS_OF_MONTH_YEAR, fixedCase()));
        assertEquals("May the 3rd, 1905", DateTranslationTask.write(
                LocalDate.of(1905, 5, 3), DateStyle.MONTH_THE_ORDINAL_YEAR, fixedCase()));
    }

    /** A random stream whose next int below 100 (the case choice) is at least 30: text kept as written. */
    private static SplittableRandom fixedCase() {
        for (long seed = 0; ; seed++) {
            if (new SplittableRandom(seed).nextInt(100) >= 30) {
                return new SplittableRandom(seed);
            }
        }
    }

    @Test
    void splitsHaveTheSizesAskedAndShareNoSourceAndNoDate() {
        DateSplits s = DateTranslationTask.splits(42, 4000, 500, 500);
        assertEquals(4000, s.train().size());
        assertEquals(500, s.validation().size());
        assertEquals(500, s.test().size());
        List<List<Pair>> all = List.of(s.train(), s.validation(), s.test());
        Map<String, Integer> sourceOwner = new HashMap<>();
        Map<String, Integer> dateOwner = new HashMap<>();
        for (int i = 0; i < 3; i++) {
            for (Pair p : all.get(i)) {
                assertEquals(null, sourceOwner.put(p.source(), i), "source repeated: " + p);
                Integer other = dateOwner.put(p.target(), i);
                assertTrue(other == null || other == i, "date " + p.target() + " in splits " + other + " and " + i);
            }
        }
    }

    @Test
    void theSizeOfOneSplitDoesNotChangeTheOthers() {
        DateSplits small = DateTranslationTask.splits(9, 100, 40, 40);
        DateSplits large = DateTranslationTask.splits(9, 2000, 40, 40);
        assertEquals(small.test(), large.test());
        assertEquals(small.validation(), large.validation());
        assertEquals(small.train(), large.train().subList(0, 100));
    }

    @Test
    void splitPoolsHaveTheDocumentedShares() {
        int[] counts = new int[3];
        for (LocalDate d = DateTranslationTask.FIRST_DATE; !d.isAfter(DateTranslationTask.LAST_DATE);
                d = d.plusDays(1)) {
            counts[DateTranslationTask.splitOf(42, d).ordinal()]++;
        }
        double total = counts[0] + counts[1] + counts[2];
        assertEquals(73_049, (int) total); // 200 years, 48 of them leap years (2000 is, 1900 is not)
        assertEquals(0.8, counts[0] / total, 0.01);
        assertEquals(0.1, counts[1] / total, 0.01);
        assertEquals(0.1, counts[2] / total, 0.01);
    }

    @Test
    void badArgumentsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> DateTranslationTask.generate(1, -1));
        assertThrows(IllegalArgumentException.class, () -> DateTranslationTask.splits(1, 10, -1, 10));
        assertThrows(IllegalArgumentException.class, () -> DateTranslationTask.write(LocalDate.of(1899, 12, 31),
                DateStyle.DAY_MONTH_YEAR, new SplittableRandom(1)));
        assertThrows(IllegalArgumentException.class, () -> new Pair("a\tb", "2000-01-01"));
    }
}
