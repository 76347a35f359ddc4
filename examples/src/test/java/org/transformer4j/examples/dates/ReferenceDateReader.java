package org.transformer4j.examples.dates;

import java.time.LocalDate;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A test-side reader of the human date forms, written independently of the generator (its own word tables,
 * Zeller's congruence for weekdays), to show that each source determines its date and that weekdays are right.
 */
final class ReferenceDateReader {

    private static final String[] MONTHS = {"january", "february", "march", "april", "may", "june", "july",
        "august", "september", "october", "november", "december"};
    /** Zeller's h: 0 = Saturday. */
    private static final String[] ZELLER_WEEKDAYS = {"saturday", "sunday", "monday", "tuesday", "wednesday",
        "thursday", "friday"};
    private static final Pattern DAY_FIRST = Pattern.compile("(\\d{1,2})([/.])(\\d{1,2})\\2(\\d{4})");
    private static final Pattern YEAR_FIRST = Pattern.compile("(\\d{4})([/.])(\\d{2})\\2(\\d{2})");
    private static final Pattern DASHED = Pattern.compile("(\\d{1,2})-([a-z]{3})-(\\d{4})");
    private static final Pattern ORDINAL_NUMERAL = Pattern.compile("(\\d{1,2})(st|nd|rd|th)");

    private ReferenceDateReader() {
    }

    /** Weekday name (lower case) of a Gregorian date by Zeller's congruence. */
    static String zellerWeekday(int year, int month, int day) {
        if (month < 3) {
            month += 12;
            year -= 1;
        }
        int k = year % 100;
        int j = year / 100;
        int h = (day + 13 * (month + 1) / 5 + k + k / 4 + j / 4 + 5 * j) % 7;
        return ZELLER_WEEKDAYS[h];
    }

    /** Reads {@code source}; throws AssertionError if it is not a well-formed date text. */
    static LocalDate read(String source) {
        String s = source.toLowerCase(Locale.ROOT);
        Matcher m = DAY_FIRST.matcher(s);
        if (m.matches()) {
            return LocalDate.of(Integer.parseInt(m.group(4)), Integer.parseInt(m.group(3)),
                    Integer.parseInt(m.group(1)));
        }
        m = YEAR_FIRST.matcher(s);
        if (m.matches()) {
            return LocalDate.of(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(3)),
                    Integer.parseInt(m.group(4)));
        }
        m = DASHED.matcher(s);
        if (m.matches()) {
            return LocalDate.of(Integer.parseInt(m.group(3)), month(m.group(2), source),
                    Integer.parseInt(m.group(1)));
        }
        List<String> tokens = List.of(s.split(",? "));
        String weekday = null;
        int year = -1;
        int monthValue = -1;
        int day = -1;
        for (String t : tokens) {
            if (t.equals("of") || t.equals("the")) {
                continue;
            }
            if (t.matches("\\d{4}")) {
                year = set(year, Integer.parseInt(t), source);
            } else if (t.matches("\\d{1,2}")) {
                day = set(day, Integer.parseInt(t), source);
            } else if (ORDINAL_NUMERAL.matcher(t).matches()) {
                Matcher om = ORDINAL_NUMERAL.matcher(t);
                om.matches();
                int d = Integer.parseInt(om.group(1));
                String expected = EnglishDatesTest.ORDINAL_NUMERALS[d];
                if (!t.equals(expected)) {
                    throw new AssertionError("wrong ordinal suffix '" + t + "' in '" + source + "'");
                }
                day = set(day, d, source);
            } else if (ordinalWord(t) > 0) {
                day = set(day, ordinalWord(t), source);
            } else if (isWeekday(t)) {
                weekday = t;
            } else {
                monthValue = set(monthValue, month(t, source), source);
            }
        }
        if (year < 0 || monthValue < 0 || day < 0) {
            throw new AssertionError("'" + source + "' lacks a year, month or day");
        }
        LocalDate date = LocalDate.of(year, monthValue, day);
        if (weekday != null) {
            String truth = zellerWeekday(year, monthValue, day);
            if (!(weekday.equals(truth) || weekday.equals(truth.substring(0, 3)))) {
                throw new AssertionError("'" + source + "' says " + weekday + " but " + date + " is a " + truth);
            }
        }
        return date;
    }

    private static int set(int old, int value, String source) {
        if (old >= 0) {
            throw new AssertionError("'" + source + "' has two candidates for one field");
        }
        return value;
    }

    private static int ordinalWord(String t) {
        for (int d = 1; d <= 31; d++) {
            if (EnglishDatesTest.ORDINAL_WORDS[d].equals(t)) {
                return d;
            }
        }
        return -1;
    }

    private static boolean isWeekday(String t) {
        for (String w : ZELLER_WEEKDAYS) {
            if (w.equals(t) || w.substring(0, 3).equals(t)) {
                return true;
            }
        }
        return false;
    }

    private static int month(String t, String source) {
        for (int i = 0; i < 12; i++) {
            if (MONTHS[i].equals(t) || MONTHS[i].substring(0, 3).equals(t)) {
                return i + 1;
            }
        }
        throw new AssertionError("unknown word '" + t + "' in '" + source + "'");
    }
}
