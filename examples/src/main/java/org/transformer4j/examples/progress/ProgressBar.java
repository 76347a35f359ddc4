package org.transformer4j.examples.progress;

import java.io.Console;
import java.io.PrintStream;
import java.util.ArrayDeque;
import java.util.Locale;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * A one-line progress report for training loops, such as
 * <pre>step  120/2000 [#...................]  6% loss 2.3141 lr 9.5e-04 41.2k tok/s ETA 31m20s</pre>
 *
 * <p>On a terminal the line is redrawn in place with a carriage return (at most every
 * {@link Builder#redrawMillis redraw interval}, and always for the last step). Elsewhere (a CI log, a file)
 * it prints whole lines instead, only now and then: on the first update, each time a
 * {@link Builder#printEverySteps step interval} is crossed (by default every 10% of the run), when
 * {@link Builder#printEverySeconds some seconds} have passed since the last line, and on the last step.
 *
 * <p>The ETA is the remaining steps divided by the recent speed: steps per second over the last
 * {@link Builder#etaWindow updates} (a moving window, so a slow first step or a change of speed fades out).
 * {@link #finish()} ends the line and prints how long the run took, measured from the bar's creation.
 * Not thread-safe: call it from the training loop's thread.
 */
public final class ProgressBar {

    private final PrintStream out;
    private final boolean terminal;
    private final LongSupplier nanoTime;
    private final int barWidth;
    private final long printEverySteps;
    private final long printEveryNanos;
    private final long redrawNanos;
    private final int etaWindow;

    private final long startNanos;
    private final ArrayDeque<long[]> recent = new ArrayDeque<>();
    private long lastShownNanos;
    private long lastShownStep = -1;
    private boolean shownAny;
    private String pendingLine;
    private long lastStep;
    private int lastLength;
    private boolean finished;

    private ProgressBar(Builder b) {
        this.out = b.out;
        this.terminal = b.terminal;
        this.nanoTime = b.nanoTime;
        this.barWidth = b.barWidth;
        this.printEverySteps = b.printEverySteps;
        this.printEveryNanos = Math.round(b.printEverySeconds * 1e9);
        this.redrawNanos = b.redrawMillis * 1_000_000L;
        this.etaWindow = b.etaWindow;
        this.startNanos = nanoTime.getAsLong();
    }

    /** A builder writing to {@code out}; by default terminal mode if this JVM's console is a terminal. */
    public static Builder builder(PrintStream out) {
        return new Builder(out);
    }

    /** A bar with default settings on {@code out}; terminal mode if this JVM's console is a terminal. */
    public static ProgressBar create(PrintStream out) {
        return builder(out).build();
    }

    /**
     * Reports that {@code step} of {@code totalSteps} is done, with the current loss, learning rate and speed;
     * draws or prints the line when due. A value that is not finite (or a negative speed) is shown as "-".
     *
     * @throws IllegalArgumentException if {@code totalSteps < 1} or {@code step} is outside 0..totalSteps
     * @throws IllegalStateException    after {@link #finish()}
     */
    public void update(long step, long totalSteps, double loss, double lr, double tokensPerSecond) {
        if (finished) {
            throw new IllegalStateException("progress bar already finished; make a new one for another run");
        }
        if (totalSteps < 1 || step < 0 || step > totalSteps) {
            throw new IllegalArgumentException("progress step " + step + " of " + totalSteps
                    + " is impossible; the total must be at least 1 and the step within 0.." + totalSteps);
        }
        long now = nanoTime.getAsLong();
        recent.addLast(new long[] {step, now});
        while (recent.size() > etaWindow) {
            recent.removeFirst();
        }
        lastStep = step;
        String line = line(step, totalSteps, loss, lr, tokensPerSecond, etaSeconds(totalSteps - step));
        boolean last = step == totalSteps;
        boolean due;
        if (terminal) {
            due = !shownAny || last || now - lastShownNanos >= redrawNanos;
        } else {
            long every = printEverySteps > 0 ? printEverySteps : Math.max(1, totalSteps / 10);
            due = !shownAny || (last && step != lastShownStep) || step / every > lastShownStep / every
                    || now - lastShownNanos >= printEveryNanos;
        }
        if (due) {
            show(line, now, step);
        } else {
            pendingLine = line;
        }
    }

    /**
     * Shows the last update if it was not shown yet, ends the line on a terminal and prints
     * "finished N steps in T". Calling it again does nothing.
     */
    public void finish() {
        if (finished) {
            return;
        }
        long now = nanoTime.getAsLong();
        if (pendingLine != null) {
            show(pendingLine, now, lastStep);
        }
        if (terminal && shownAny) {
            out.println();
        }
        out.println("finished " + lastStep + " steps in " + formatDuration((now - startNanos) / 1e9));
        out.flush();
        finished = true;
    }

    private void show(String line, long now, long step) {
        if (terminal) {
            StringBuilder s = new StringBuilder("\r").append(line);
            s.repeat(' ', Math.max(0, lastLength - line.length())); // rub out the rest of a longer line
            out.print(s);
            lastLength = line.length();
        } else {
            out.println(line);
        }
        out.flush();
        shownAny = true;
        lastShownNanos = now;
        lastShownStep = step;
        pendingLine = null;
    }

    /** Seconds left at the speed of the recent window, or NaN when it cannot be told yet. */
    private double etaSeconds(long remaining) {
        if (recent.size() < 2) {
            return Double.NaN;
        }
        long[] first = recent.getFirst();
        long[] last = recent.getLast();
        long steps = last[0] - first[0];
        long nanos = last[1] - first[1];
        if (steps <= 0 || nanos <= 0) {
            return Double.NaN;
        }
        return remaining * (nanos / 1e9) / steps;
    }

    /** The text of one line (no carriage return, no line end). */
    String line(long step, long total, double loss, double lr, double tokensPerSecond, double etaSeconds) {
        int digits = Long.toString(total).length();
        int filled = (int) (barWidth * step / total);
        int percent = (int) (100 * step / total);
        return String.format(Locale.ROOT, "step %" + digits + "d/%d [%s%s] %2d%% loss %s lr %s %s tok/s ETA %s",
                step, total, "#".repeat(filled), ".".repeat(barWidth - filled), percent,
                Double.isFinite(loss) ? String.format(Locale.ROOT, "%.4f", loss) : "-",
                Double.isFinite(lr) ? String.format(Locale.ROOT, "%.1e", lr) : "-",
                formatRate(tokensPerSecond), formatDuration(etaSeconds));
    }

    /**
     * A rate with a k, M or G suffix and one decimal from a thousand on: 950 gives "950", 41,234 gives "41.2k",
     * 2,500,000 gives "2.5M"; a negative or non-finite rate gives "-".
     */
    public static String formatRate(double perSecond) {
        if (!Double.isFinite(perSecond) || perSecond < 0) {
            return "-";
        }
        if (perSecond < 999.5) {
            return String.format(Locale.ROOT, "%.0f", perSecond);
        }
        String[] suffixes = {"k", "M", "G", "T"};
        double v = perSecond / 1000;
        int i = 0;
        while (v >= 999.95 && i < suffixes.length - 1) {
            v /= 1000;
            i++;
        }
        return String.format(Locale.ROOT, "%.1f%s", v, suffixes[i]);
    }

    /**
     * A duration rounded to whole seconds, in its two largest units: "42s", "1m32s", "2h05m", "3d04h";
     * a negative or non-finite duration gives "--".
     */
    public static String formatDuration(double seconds) {
        if (!Double.isFinite(seconds) || seconds < 0) {
            return "--";
        }
        long s = Math.round(seconds);
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
        }
        if (s < 86_400) {
            return String.format(Locale.ROOT, "%dh%02dm", s / 3600, s % 3600 / 60);
        }
        return String.format(Locale.ROOT, "%dd%02dh", s / 86_400, s % 86_400 / 3600);
    }

    /** Settings of a {@link ProgressBar}; every setting has a default. */
    public static final class Builder {
        private final PrintStream out;
        private boolean terminal;
        private LongSupplier nanoTime = System::nanoTime;
        private int barWidth = 20;
        private long printEverySteps;
        private double printEverySeconds = 30;
        private long redrawMillis = 100;
        private int etaWindow = 50;

        private Builder(PrintStream out) {
            this.out = Objects.requireNonNull(out, "out");
            Console console = System.console();
            this.terminal = console != null && console.isTerminal();
        }

        /** Redraw in place with carriage returns (true) or print whole lines now and then (false). */
        public Builder terminal(boolean terminal) {
            this.terminal = terminal;
            return this;
        }

        /** The clock, in nanoseconds like {@link System#nanoTime()}; tests pass a fake one. */
        public Builder nanoTime(LongSupplier nanoTime) {
            this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
            return this;
        }

        /** Characters between the brackets of the bar (default 20). */
        public Builder barWidth(int width) {
            if (width < 1) {
                throw new IllegalArgumentException("bar width " + width + " must be at least 1");
            }
            this.barWidth = width;
            return this;
        }

        /** Off a terminal, print a line each time the step crosses a multiple of this; 0 (default) = 10% of the run. */
        public Builder printEverySteps(long steps) {
            if (steps < 0) {
                throw new IllegalArgumentException("printEverySteps " + steps + " is negative; use 0 for 10%");
            }
            this.printEverySteps = steps;
            return this;
        }

        /** Off a terminal, also print a line when this many seconds passed since the last (default 30). */
        public Builder printEverySeconds(double seconds) {
            if (!(seconds > 0)) {
                throw new IllegalArgumentException("printEverySeconds " + seconds + " must be positive");
            }
            this.printEverySeconds = seconds;
            return this;
        }

        /** On a terminal, redraw at most this often (default 100 ms); the last step is always drawn. */
        public Builder redrawMillis(long millis) {
            if (millis < 0) {
                throw new IllegalArgumentException("redrawMillis " + millis + " is negative");
            }
            this.redrawMillis = millis;
            return this;
        }

        /** How many recent updates the ETA's speed is measured over (default 50, at least 2). */
        public Builder etaWindow(int updates) {
            if (updates < 2) {
                throw new IllegalArgumentException("etaWindow " + updates + " must be at least 2 updates");
            }
            this.etaWindow = updates;
            return this;
        }

        /** The progress bar; its clock starts now. */
        public ProgressBar build() {
            return new ProgressBar(this);
        }
    }
}
