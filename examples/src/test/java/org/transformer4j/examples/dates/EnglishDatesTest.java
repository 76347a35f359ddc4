package org.transformer4j.examples.dates;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.DayOfWeek;
import java.time.Month;
import org.junit.jupiter.api.Test;

class EnglishDatesTest {

    /** Written by hand, index = day of month. */
    static final String[] ORDINAL_WORDS = {null,
        "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth",
        "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth", "seventeenth",
        "eighteenth", "nineteenth", "twentieth",
        "twenty-first", "twenty-second", "twenty-third", "twenty-fourth", "twenty-fifth", "twenty-sixth",
        "twenty-seventh", "twenty-eighth", "twenty-ninth", "thirtieth", "thirty-first"};

    /** Written by hand, index = day of month. */
    static final String[] ORDINAL_NUMERALS = {null,
        "1st", "2nd", "3rd", "4th", "5th", "6th", "7th", "8th", "9th", "10th",
        "11th", "12th", "13th", "14th", "15th", "16th", "17th", "18th", "19th", "20th",
        "21st", "22nd", "23rd", "24th", "25th", "26th", "27th", "28th", "29th", "30th", "31st"};

    @Test
    void ordinalWordsAreSpelledRightForEveryDay() {
        for (int day = 1; day <= 31; day++) {
            assertEquals(ORDINAL_WORDS[day], EnglishDates.ordinalWords(day), "day " + day);
        }
    }

    @Test
    void ordinalNumeralsHaveTheRightSuffixForEveryDay() {
        for (int day = 1; day <= 31; day++) {
            assertEquals(ORDINAL_NUMERALS[day], EnglishDates.ordinalNumeral(day), "day " + day);
        }
    }

    @Test
    void daysOutsideAMonthAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> EnglishDates.ordinalWords(0));
        assertThrows(IllegalArgumentException.class, () -> EnglishDates.ordinalWords(32));
        assertThrows(IllegalArgumentException.class, () -> EnglishDates.ordinalNumeral(0));
    }

    @Test
    void monthAndWeekdayNames() {
        assertEquals("January", EnglishDates.monthName(Month.JANUARY));
        assertEquals("September", EnglishDates.monthName(Month.SEPTEMBER));
        assertEquals("Sep", EnglishDates.monthAbbreviation(Month.SEPTEMBER));
        assertEquals("May", EnglishDates.monthAbbreviation(Month.MAY));
        assertEquals("Wednesday", EnglishDates.weekdayName(DayOfWeek.WEDNESDAY));
        assertEquals("Sun", EnglishDates.weekdayAbbreviation(DayOfWeek.SUNDAY));
    }
}
