package org.transformer4j.examples.progress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ProgressBarTest {

    private static final long SECOND = 1_000_000_000L;

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    private final AtomicLong clock = new AtomicLong(1_000 * SECOND);

    private String output() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void terminalModeRedrawsOneLineWithCarriageReturns() {
        ProgressBar bar = ProgressBar.builder(out).terminal(true).nanoTime(clock::get).build();
        for (int step = 1; step <= 120; step++) {
            clock.addAndGet(SECOND); // one step per second
            bar.update(step, 2000, 2.31414, 9.5e-4, 41_234);
        }
        String text = output();
        assertFalse(text.contains("\n"), "a terminal line must not end until finish()");
        assertTrue(text.startsWith("\rstep    1/2000 "), text.substring(0, 40));
        String last = text.substring(text.lastIndexOf('\r') + 1);
        // 1880 steps left at 1 step/s = 31 min 20 s; 120/2000 = 6% = 1.2 of 20 bar characters
        assertEquals("step  120/2000 [#...................]  6% loss 2.3141 lr 9.5e-04 41.2k tok/s ETA 31m20s", last);
    }

    @Test
    void theFirstLineHasNoEtaAndTheEtaFollowsARecentSpeedChange() {
        ProgressBar bar = ProgressBar.builder(out).terminal(true).redrawMillis(0).etaWindow(5)
                .nanoTime(clock::get).build();
        bar.update(1, 100, 1.0, 1e-3, 10);
        assertTrue(output().endsWith("ETA --"), output());
        for (int step = 2; step <= 10; step++) {
            clock.addAndGet(10 * SECOND); // slow start: 10 s per step
            bar.update(step, 100, 1.0, 1e-3, 10);
        }
        assertTrue(output().endsWith("ETA 15m00s"), output()); // 90 steps x 10 s
        for (int step = 11; step <= 20; step++) {
            clock.addAndGet(SECOND); // then 1 s per step; the window of 5 updates forgets the slow start
            bar.update(step, 100, 1.0, 1e-3, 10);
        }
        assertTrue(output().endsWith("ETA 1m20s"), output()); // 80 steps x 1 s
    }

    @Test
    void terminalRedrawsAreThrottledAndFinishEndsTheLine() {
        ProgressBar bar = ProgressBar.builder(out).terminal(true).redrawMillis(100).nanoTime(clock::get).build();
        for (int step = 1; step <= 10; step++) {
            clock.addAndGet(SECOND / 100); // 10 ms per step: a redraw every 10 steps at most
            bar.update(step, 10, 0.5, 1e-4, 2_500_000);
        }
        String text = output();
        assertEquals(2, text.chars().filter(c -> c == '\r').count(), text); // step 1 and the last step 10
        assertTrue(text.endsWith("\rstep 10/10 [####################] 100% loss 0.5000 lr 1.0e-04 2.5M tok/s ETA 0s"),
                text);
        clock.addAndGet(SECOND);
        bar.finish();
        assertTrue(output().endsWith("ETA 0s\nfinished 10 steps in 1s\n"), output()); // 10 x 10 ms + 1 s
        bar.finish();
        assertTrue(output().endsWith("ETA 0s\nfinished 10 steps in 1s\n"), "a second finish() prints nothing");
        assertThrows(IllegalStateException.class, () -> bar.update(1, 10, 0, 0, 0));
    }

    @Test
    void aShorterLineRubsOutTheRestOfTheLongerOne() {
        ProgressBar bar = ProgressBar.builder(out).terminal(true).redrawMillis(0).nanoTime(clock::get).build();
        bar.update(1, 10, 1.0, 1e-3, 12_345_678);
        String first = output().substring(1);
        bar.update(2, 10, 1.0, 1e-3, Double.NaN);
        String second = output().substring(first.length() + 2);
        assertEquals(first.length(), second.length(), "'" + first + "' then '" + second + "'");
        assertTrue(second.contains(" - tok/s"), second);
    }

    @Test
    void offATerminalWholeLinesArePrintedEveryTenthOfTheRun() {
        ProgressBar bar = ProgressBar.builder(out).terminal(false).nanoTime(clock::get).build();
        for (int step = 1; step <= 100; step++) {
            clock.addAndGet(SECOND / 2);
            bar.update(step, 100, 3.0 - step / 100.0, 6e-4, 950);
        }
        bar.finish();
        String text = output();
        assertFalse(text.contains("\r"), "no carriage returns in a log");
        List<String> lines = text.lines().toList();
        assertEquals(12, lines.size(), text); // steps 1, 10, 20, ..., 100 and the summary
        assertEquals("step   1/100 [....................]  1% loss 2.9900 lr 6.0e-04 950 tok/s ETA --", lines.get(0));
        assertEquals("step  50/100 [##########..........] 50% loss 2.5000 lr 6.0e-04 950 tok/s ETA 25s", lines.get(5));
        assertTrue(lines.get(10).startsWith("step 100/100 [####################] 100% loss 2.0000"), lines.get(10));
        assertEquals("finished 100 steps in 50s", lines.get(11));
    }

    @Test
    void offATerminalSlowStepsArePrintedByTime() {
        ProgressBar bar = ProgressBar.builder(out).terminal(false).printEverySteps(1000).printEverySeconds(60)
                .nanoTime(clock::get).build();
        for (int step = 1; step <= 10; step++) {
            clock.addAndGet(25 * SECOND);
            bar.update(step, 5000, 1.0, 1e-3, 100);
        }
        bar.finish();
        List<String> lines = output().lines().toList();
        // step 1 (first), then whenever 60 s have passed: steps 4 (75 s later), 7, 10; step 10 was shown
        assertEquals(List.of(1L, 4L, 7L, 10L), lines.subList(0, 4).stream()
                .map(l -> Long.parseLong(l.substring(5, l.indexOf('/')).trim())).toList(), output());
        assertEquals("finished 10 steps in 4m10s", lines.get(4));
        assertEquals(5, lines.size());
    }

    @Test
    void finishPrintsAnUpdateThatWasNotShownYet() {
        ProgressBar bar = ProgressBar.builder(out).terminal(false).nanoTime(clock::get).build();
        bar.update(1, 1000, 1.0, 1e-3, 100);
        bar.update(7, 1000, 0.9, 1e-3, 100);
        bar.finish();
        List<String> lines = output().lines().toList();
        assertEquals(3, lines.size(), output());
        assertTrue(lines.get(1).startsWith("step    7/1000 "), lines.get(1));
    }

    @Test
    void ratesGetThousandSuffixes() {
        assertEquals("0", ProgressBar.formatRate(0));
        assertEquals("950", ProgressBar.formatRate(950));
        assertEquals("1.0k", ProgressBar.formatRate(999.7));
        assertEquals("41.2k", ProgressBar.formatRate(41_234));
        assertEquals("1.0M", ProgressBar.formatRate(999_960));
        assertEquals("2.5M", ProgressBar.formatRate(2_500_000));
        assertEquals("3.2G", ProgressBar.formatRate(3.2e9));
        assertEquals("-", ProgressBar.formatRate(Double.NaN));
        assertEquals("-", ProgressBar.formatRate(-1));
    }

    @Test
    void durationsUseTheirTwoLargestUnits() {
        assertEquals("0s", ProgressBar.formatDuration(0.4));
        assertEquals("42s", ProgressBar.formatDuration(42));
        assertEquals("1m00s", ProgressBar.formatDuration(59.6));
        assertEquals("1m32s", ProgressBar.formatDuration(92));
        assertEquals("59m59s", ProgressBar.formatDuration(3599));
        assertEquals("1h00m", ProgressBar.formatDuration(3600));
        assertEquals("1h02m", ProgressBar.formatDuration(3725));
        assertEquals("1d01h", ProgressBar.formatDuration(90_061));
        assertEquals("--", ProgressBar.formatDuration(Double.NaN));
        assertEquals("--", ProgressBar.formatDuration(Double.POSITIVE_INFINITY));
    }

    @Test
    void impossibleStepsAreRejected() {
        ProgressBar bar = ProgressBar.builder(out).terminal(false).nanoTime(clock::get).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> bar.update(11, 10, 0, 0, 0));
        assertTrue(e.getMessage().contains("step 11 of 10"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> bar.update(0, 0, 0, 0, 0));
    }
}
