package org.transformer4j.examples.dates;

import java.time.DayOfWeek;
import java.time.Month;

/**
 * English words for dates, written out here rather than taken from the JDK's locale data, so that the
 * generated sources are the same on every JVM whatever its default locale and CLDR version.
 */
public final class EnglishDates {

    private static final String[] MONTHS = {
        "January", "February", "March", "April", "May", "June",
        "July", "August", "September", "October", "November", "December"};

    private static final String[] WEEKDAYS = {
        "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"};

    private static final String[] UNIT_ORDINALS = {
        "", "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth"};

    private static final String[] TEEN_ORDINALS = {
        "tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth",
        "sixteenth", "seventeenth", "eighteenth", "nineteenth"};

    private EnglishDates() {
    }

    /** The full month name, e.g. "November". */
    public static String monthName(Month month) {
        return MONTHS[month.getValue() - 1];
    }

    /** The three-letter month abbreviation, e.g. "Nov" (and "May" for May). */
    public static String monthAbbreviation(Month month) {
        return MONTHS[month.getValue() - 1].substring(0, 3);
    }

    /** The full weekday name, e.g. "Sunday". */
    public static String weekdayName(DayOfWeek day) {
        return WEEKDAYS[day.getValue() - 1];
    }

    /** The three-letter weekday abbreviation, e.g. "Sun". */
    public static String weekdayAbbreviation(DayOfWeek day) {
        return WEEKDAYS[day.getValue() - 1].substring(0, 3);
    }

    /**
     * The ordinal of a day of the month in words, e.g. 22 gives "twenty-second", 30 gives "thirtieth".
     *
     * @throws IllegalArgumentException if {@code day} is not in 1..31
     */
    public static String ordinalWords(int day) {
        checkDay(day);
        if (day < 10) {
            return UNIT_ORDINALS[day];
        }
        if (day < 20) {
            return TEEN_ORDINALS[day - 10];
        }
        String tens = day < 30 ? "twent" : "thirt";
        int unit = day % 10;
        return unit == 0 ? tens + "ieth" : tens + "y-" + UNIT_ORDINALS[unit];
    }

    /**
     * The ordinal of a day of the month in digits with its English suffix, e.g. "1st", "12th", "22nd", "23rd".
     *
     * @throws IllegalArgumentException if {@code day} is not in 1..31
     */
    public static String ordinalNumeral(int day) {
        checkDay(day);
        String suffix;
        if (day >= 11 && day <= 13) {
            suffix = "th";
        } else {
            suffix = switch (day % 10) {
                case 1 -> "st";
                case 2 -> "nd";
                case 3 -> "rd";
                default -> "th";
            };
        }
        return day + suffix;
    }

    private static void checkDay(int day) {
        if (day < 1 || day > 31) {
            throw new IllegalArgumentException("day of month " + day + " is outside 1..31");
        }
    }
}
