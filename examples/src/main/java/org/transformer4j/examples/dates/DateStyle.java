package org.transformer4j.examples.dates;

/**
 * The ways {@link DateTranslationTask} writes a date, each shown here for 22 November 2026 (a Sunday).
 *
 * <p>Every style is unambiguous, so the ISO target is a function of the source text: numeric styles either put
 * the four-digit year first (year, month, day) or last with the day first (day, month, year); there is no
 * month-first numeric style. On top of its style, a source may be written in lower or upper case
 * (see {@link DateTranslationTask}).
 */
public enum DateStyle {
    /** "22 November 2026". */
    DAY_MONTH_YEAR("22 November 2026"),
    /** "November 22, 2026". */
    MONTH_DAY_COMMA_YEAR("November 22, 2026"),
    /** "Nov 22, 2026". */
    ABBREVIATED_MONTH_DAY_COMMA_YEAR("Nov 22, 2026"),
    /** "22 Nov 2026". */
    DAY_ABBREVIATED_MONTH_YEAR("22 Nov 2026"),
    /** "22/11/2026" or "5/3/2026": day first, the day and month zero-padded or not. */
    DAY_SLASH_MONTH_SLASH_YEAR("22/11/2026"),
    /** "22.11.2026" or "5.3.2026": day first, the day and month zero-padded or not. */
    DAY_DOT_MONTH_DOT_YEAR("22.11.2026"),
    /** "2026/11/22": year first, always zero-padded. */
    YEAR_SLASH_MONTH_SLASH_DAY("2026/11/22"),
    /** "2026.11.22": year first, always zero-padded. */
    YEAR_DOT_MONTH_DOT_DAY("2026.11.22"),
    /** "the twenty-second of November, 2026". */
    THE_ORDINAL_WORDS_OF_MONTH_YEAR("the twenty-second of November, 2026"),
    /** "twenty-second November 2026". */
    ORDINAL_WORDS_MONTH_YEAR("twenty-second November 2026"),
    /** "Sunday, 22 November 2026", with the date's true weekday. */
    WEEKDAY_DAY_MONTH_YEAR("Sunday, 22 November 2026"),
    /** "Sun, Nov 22, 2026", with the date's true weekday. */
    ABBREVIATED_WEEKDAY_MONTH_DAY_YEAR("Sun, Nov 22, 2026"),
    /** "22-Nov-2026". */
    DAY_DASH_ABBREVIATED_MONTH_DASH_YEAR("22-Nov-2026"),
    /** "NOV 22 2026". */
    UPPER_ABBREVIATED_MONTH_DAY_YEAR("NOV 22 2026"),
    /** "22nd of November 2026". */
    ORDINAL_OF_MONTH_YEAR("22nd of November 2026"),
    /** "November the 22nd, 2026". */
    MONTH_THE_ORDINAL_YEAR("November the 22nd, 2026");

    private final String example;

    DateStyle(String example) {
        this.example = example;
    }

    /** How this style writes 22 November 2026 (without any change of case). */
    public String example() {
        return example;
    }
}
