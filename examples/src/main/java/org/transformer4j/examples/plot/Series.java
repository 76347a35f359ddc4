package org.transformer4j.examples.plot;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One line of a {@link LossPlot}: a {@code name} for the legend (e.g. "train", "validation") and its
 * (step, value) points. Series of one plot may have different lengths and different steps (validation is
 * usually measured less often than training loss).
 */
public record Series(String name, List<Point> points) {

    /** One measurement: the value (e.g. mean loss) at a training step. */
    public record Point(long step, double value) {
    }

    /** Checks the name and copies the points; values are checked when plotted. */
    public Series {
        Objects.requireNonNull(name, "series name");
        Objects.requireNonNull(points, () -> "points of series '" + name + "'");
        points = List.copyOf(points);
    }

    /**
     * A series from parallel arrays of steps and values.
     *
     * @throws IllegalArgumentException if the arrays differ in length
     */
    public static Series of(String name, long[] steps, double[] values) {
        if (steps.length != values.length) {
            throw new IllegalArgumentException("series '" + name + "' has " + steps.length + " steps but "
                    + values.length + " values; give one value per step");
        }
        List<Point> points = new ArrayList<>(steps.length);
        for (int i = 0; i < steps.length; i++) {
            points.add(new Point(steps[i], values[i]));
        }
        return new Series(name, points);
    }
}
