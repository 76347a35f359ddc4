package org.transformer4j.generate;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.transformer4j.tokenizer.Tokenizer;

/**
 * Turns a stream of generated token ids into a stream of text pieces and finds stop strings in it. Each
 * {@link #push} decodes the tokens so far and returns the new text that is safe to show: it holds back a trailing
 * U+FFFD (possibly an incomplete multi-byte character that the next token completes) and any ending that could
 * still grow into a stop string, so nothing shown ever has to be taken back. When the text contains a stop string,
 * {@link #stopped()} turns true and the text is cut just before it (the stop string itself is never shown).
 */
public final class StopStringStream {
    private final Tokenizer tokenizer;
    private final List<String> stops;
    private int[] ids = new int[0];
    private String text = "";
    private int shown;
    private String matched;

    /**
     * A stream that decodes with {@code tokenizer} and watches for {@code stops}.
     *
     * @param tokenizer the model's tokenizer
     * @param stops stop strings; empty strings are refused (they would match before any text)
     */
    public StopStringStream(Tokenizer tokenizer, List<String> stops) {
        this.tokenizer = Objects.requireNonNull(tokenizer, "tokenizer");
        for (String s : stops) {
            if (s == null || s.isEmpty()) {
                throw new IllegalArgumentException("stop strings must not be empty or null; given " + stops);
            }
        }
        this.stops = List.copyOf(stops);
    }

    /**
     * Adds a token and returns the text that can be shown now (possibly empty).
     *
     * @param token the new token id
     * @return the text to show now
     * @throws IllegalStateException after a stop string was found
     */
    public String push(int token) {
        if (matched != null) {
            throw new IllegalStateException("the stop string " + quote(matched) + " was already found; stop pushing tokens");
        }
        ids = Arrays.copyOf(ids, ids.length + 1);
        ids[ids.length - 1] = token;
        String all = tokenizer.decode(ids);
        int stable = all.length();
        while (stable > 0 && all.charAt(stable - 1) == '\uFFFD') {
            stable--;
        }
        text = all;
        int cut = -1;
        for (String s : stops) {
            int at = all.substring(0, stable).indexOf(s, Math.max(0, shown - s.length() + 1));
            if (at >= 0 && (cut < 0 || at < cut)) {
                cut = at;
                matched = s;
            }
        }
        if (cut >= 0) {
            text = all.substring(0, Math.max(cut, shown));
            return take(text.length());
        }
        return take(stable - heldForStops(all, stable));
    }

    /**
     * Ends the stream: returns the held-back text (empty after a stop string).
     *
     * @return the rest of the text
     */
    public String finish() {
        return matched != null ? "" : take(text.length());
    }

    /**
     * True once a stop string was found.
     *
     * @return whether generation should stop
     */
    public boolean stopped() {
        return matched != null;
    }

    /**
     * The stop string found, or null.
     *
     * @return the stop string, or null
     */
    public String matchedStop() {
        return matched;
    }

    /**
     * The whole text so far: cut before the stop string once one is found, else everything decoded.
     *
     * @return the text
     */
    public String text() {
        return text;
    }

    private String take(int end) {
        if (end <= shown) {
            return "";
        }
        String piece = text.substring(shown, end);
        shown = end;
        return piece;
    }

    /** Length of the longest ending of {@code all[0, end)} that is a proper beginning of some stop string. */
    private int heldForStops(String all, int end) {
        int held = 0;
        for (String s : stops) {
            for (int k = Math.min(s.length() - 1, end); k > held; k--) {
                if (all.regionMatches(end - k, s, 0, k)) {
                    held = k;
                    break;
                }
            }
        }
        return held;
    }

    private static String quote(String s) {
        return "\"" + s.replace("\n", "\\n") + "\"";
    }
}
