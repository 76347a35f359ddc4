package org.transformer4j.examples.plot;

import java.awt.Color;

/**
 * The "viridis" colour map (perceptually uniform, readable in grey and by most colour-blind readers),
 * interpolated linearly between nine evenly spaced samples of it (as R's {@code viridis(9)} lists them), from {@link #LOW} (dark purple, 0) to
 * {@link #HIGH} (yellow, 1).
 */
public final class Viridis {

    /** The colour of 0: #440154. */
    public static final Color LOW = new Color(0x440154);
    /** The colour of 1: #FDE725. */
    public static final Color HIGH = new Color(0xfde725);

    private static final int[] ANCHORS = {
        0x440154, 0x472d7b, 0x3b528b, 0x2c728e, 0x21908c, 0x27ad81, 0x5dc863, 0xaadc32, 0xfde725};

    private Viridis() {
    }

    /**
     * The colour of {@code t}, clamped to [0, 1].
     *
     * @throws IllegalArgumentException if {@code t} is NaN
     */
    public static Color color(double t) {
        if (Double.isNaN(t)) {
            throw new IllegalArgumentException("cannot colour NaN");
        }
        double u = Math.min(1, Math.max(0, t)) * (ANCHORS.length - 1);
        int i = Math.min((int) Math.floor(u), ANCHORS.length - 2);
        double f = u - i;
        int a = ANCHORS[i];
        int b = ANCHORS[i + 1];
        return new Color(lerp(a >> 16, b >> 16, f), lerp(a >> 8, b >> 8, f), lerp(a, b, f));
    }

    private static int lerp(int a, int b, double f) {
        return (int) Math.round((a & 0xff) + ((b & 0xff) - (a & 0xff)) * f);
    }
}
