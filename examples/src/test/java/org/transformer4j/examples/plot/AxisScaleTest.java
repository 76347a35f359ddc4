package org.transformer4j.examples.plot;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class AxisScaleTest {

    @Test
    void niceStepsAreOneTwoOrFiveTimesAPowerOfTen() {
        assertEquals(0.5, AxisScale.niceStep(0.397), 1e-12);
        assertEquals(500, AxisScale.niceStep(249.9), 1e-9);
        assertEquals(2, AxisScale.niceStep(1.2), 1e-12);
        assertEquals(10, AxisScale.niceStep(6), 1e-12);
        assertEquals(1, AxisScale.niceStep(1), 1e-12);
    }

    @Test
    void axesEndOnTicksAroundTheData() {
        AxisScale y = AxisScale.covering(0.43, 2.81, 6);
        assertEquals(0.0, y.min(), 1e-12);
        assertEquals(3.0, y.max(), 1e-12);
        assertEquals(List.of("0.0", "0.5", "1.0", "1.5", "2.0", "2.5", "3.0"),
                y.ticks().stream().map(y::label).toList());

        AxisScale x = AxisScale.covering(1, 2000, 8);
        assertEquals(List.of("0", "500", "1000", "1500", "2000"), x.ticks().stream().map(x::stepLabel).toList());

        AxisScale big = AxisScale.covering(0, 200_000, 4);
        assertEquals(List.of("0", "50k", "100k", "150k", "200k"), big.ticks().stream().map(big::stepLabel).toList());
    }

    @Test
    void anEmptyRangeIsWidened() {
        AxisScale s = AxisScale.covering(2, 2, 6);
        assertEquals(true, s.min() < 2 && s.max() > 2, s.toString());
        AxisScale zero = AxisScale.covering(0, 0, 6);
        assertEquals(true, zero.min() < 0 && zero.max() > 0, zero.toString());
    }
}
