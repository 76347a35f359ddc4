package org.transformer4j.examples.plot;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A linear axis from {@code min} to {@code max} with ticks every {@code tick}, where the tick is a "nice"
 * number (1, 2 or 5 times a power of ten) and both ends lie on ticks.
 */
record AxisScale(double min, double max, double tick) {

    /**
     * The smallest nice axis that holds {@code lo..hi} with about {@code targetTicks} intervals. An empty
     * range ({@code lo == hi}) is widened around the value.
     */
    static AxisScale covering(double lo, double hi, int targetTicks) {
        if (hi < lo) {
            throw new IllegalArgumentException("axis range " + lo + ".." + hi + " is reversed");
        }
        if (hi == lo) {
            double pad = lo == 0 ? 1 : Math.abs(lo) * 0.1;
            lo -= pad;
            hi += pad;
        }
        double tick = niceStep((hi - lo) / targetTicks);
        double min = Math.floor(lo / tick + 1e-9) * tick;
        double max = Math.ceil(hi / tick - 1e-9) * tick;
        return new AxisScale(min, max, tick);
    }

    /** 1, 2 or 5 times a power of ten: the smallest such number at least {@code raw}. */
    static double niceStep(double raw) {
        double power = Math.pow(10, Math.floor(Math.log10(raw)));
        double fraction = raw / power;
        double nice = fraction <= 1 + 1e-9 ? 1 : fraction <= 2 + 1e-9 ? 2 : fraction <= 5 + 1e-9 ? 5 : 10;
        return nice * power;
    }

    /** The tick positions from min to max. */
    List<Double> ticks() {
        List<Double> ticks = new ArrayList<>();
        long n = Math.round((max - min) / tick);
        for (long i = 0; i <= n; i++) {
            ticks.add(min + i * tick);
        }
        return ticks;
    }

    /** Where {@code v} falls, from 0 at min to 1 at max. */
    double fraction(double v) {
        return (v - min) / (max - min);
    }

    /** A tick label with as many decimals as the tick size needs, e.g. "2.5" for ticks of 0.5. */
    String label(double v) {
        if (Math.abs(v) < tick * 1e-6) {
            v = 0; // no "-0.0"
        }
        double magnitude = Math.max(Math.abs(min), Math.abs(max));
        if (magnitude >= 1e6 || (magnitude < 1e-3 && magnitude > 0)) {
            return String.format(Locale.ROOT, "%.2g", v);
        }
        int decimals = Math.max(0, (int) -Math.floor(Math.log10(tick) + 1e-9));
        return String.format(Locale.ROOT, "%." + decimals + "f", v);
    }

    /** A tick label for whole numbers such as steps: "20000" below 100,000, "150k" or "2.5M" above. */
    String stepLabel(double v) {
        double magnitude = Math.max(Math.abs(min), Math.abs(max));
        if (Math.abs(v) < tick * 1e-6) {
            return "0";
        }
        if (magnitude >= 1e6) {
            return trim(String.format(Locale.ROOT, "%.2f", v / 1e6)) + "M";
        }
        if (magnitude >= 1e5) {
            return trim(String.format(Locale.ROOT, "%.2f", v / 1e3)) + "k";
        }
        return tick >= 1 ? Long.toString(Math.round(v)) : label(v);
    }

    private static String trim(String number) {
        return number.contains(".") ? number.replaceAll("0+$", "").replaceAll("\\.$", "") : number;
    }
}
