package org.transformer4j.examples.plot;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.Rectangle;
import java.awt.Shape;
import java.awt.Stroke;
import java.awt.geom.AffineTransform;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Line2D;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A line chart of loss against training step, written as a PNG: one line per {@link Series} (e.g. train and
 * validation loss), axes with tick labels, light grid lines and a legend. Drawn with plain {@code java.awt}
 * on an off-screen image, headless, so it works on a server with no display.
 *
 * <p>Series take the colours of {@link #PALETTE} in order (after ten they repeat, drawn dashed). A series with
 * at most {@value #MARKER_LIMIT} points also gets a dot at each point, so sparse validation curves and single
 * points stay visible. Points are drawn in step order whatever order they are given in.
 */
public final class LossPlot {

    static {
        PngFiles.ensureHeadless();
    }

    /** Default image width in pixels. */
    public static final int DEFAULT_WIDTH = 800;
    /** Default image height in pixels. */
    public static final int DEFAULT_HEIGHT = 500;
    /** Series with at most this many points get a dot at each point. */
    public static final int MARKER_LIMIT = 60;

    /** The series colours, in order (the "tab10" palette). */
    public static final List<Color> PALETTE = List.of(
            new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728),
            new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f),
            new Color(0xbcbd22), new Color(0x17becf));

    private static final int MIN_WIDTH = 240;
    private static final int MIN_HEIGHT = 160;
    private static final Color GRID = new Color(0xe6e6e6);
    private static final Color AXIS = new Color(0x333333);

    private LossPlot() {
    }

    /** The colour of the series at {@code index} (0-based) in the list given to {@link #write}. */
    public static Color colorOf(int index) {
        return PALETTE.get(Math.floorMod(index, PALETTE.size()));
    }

    /**
     * Writes the chart of {@code series} to {@code png} at {@value #DEFAULT_WIDTH}x{@value #DEFAULT_HEIGHT}.
     *
     * @see #write(Path, List, String, int, int)
     */
    public static void write(Path png, List<Series> series, String title) {
        write(png, series, title, DEFAULT_WIDTH, DEFAULT_HEIGHT);
    }

    /**
     * Writes the chart of {@code series} to {@code png} (replaced atomically, parent directories created).
     *
     * @throws IllegalArgumentException if there is no series, no point in any series, a value that is
     *                                  not finite (named by series and index), or a size below 240x160
     * @throws java.io.UncheckedIOException if the file cannot be written
     */
    public static void write(Path png, List<Series> series, String title, int width, int height) {
        PngFiles.write(render(series, title, width, height), png);
    }

    /** The chart as an image, without writing it; the same checks as {@link #write}. */
    public static BufferedImage render(List<Series> series, String title, int width, int height) {
        validate(series, width, height);
        List<List<Series.Point>> sorted = new ArrayList<>();
        double xLo = Double.POSITIVE_INFINITY;
        double xHi = Double.NEGATIVE_INFINITY;
        double yLo = Double.POSITIVE_INFINITY;
        double yHi = Double.NEGATIVE_INFINITY;
        for (Series s : series) {
            List<Series.Point> points = new ArrayList<>(s.points());
            points.sort(Comparator.comparingLong(Series.Point::step));
            sorted.add(points);
            for (Series.Point p : points) {
                xLo = Math.min(xLo, p.step());
                xHi = Math.max(xHi, p.step());
                yLo = Math.min(yLo, p.value());
                yHi = Math.max(yHi, p.value());
            }
        }
        AxisScale x = AxisScale.covering(xLo, xHi, 8);
        AxisScale y = AxisScale.covering(yLo, yHi, 6);

        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = PngFiles.graphics(image);
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, width, height);
            Font tickFont = new Font(PngFiles.FONT, Font.PLAIN, 12);
            Font titleFont = new Font(PngFiles.FONT, Font.BOLD, 16);
            FontMetrics tickMetrics = g.getFontMetrics(tickFont);
            int yLabelWidth = 0;
            for (double t : y.ticks()) {
                yLabelWidth = Math.max(yLabelWidth, tickMetrics.stringWidth(y.label(t)));
            }
            boolean hasTitle = title != null && !title.isBlank();
            int top = hasTitle ? 44 : 16;
            int left = 34 + yLabelWidth + 8;
            Rectangle plot = new Rectangle(left, top, width - left - 24, height - top - 52);

            if (hasTitle) {
                g.setFont(titleFont);
                g.setColor(Color.BLACK);
                drawCentered(g, title, width / 2.0, 28);
            }
            drawGridAndAxes(g, plot, x, y, tickFont);
            for (int i = 0; i < sorted.size(); i++) {
                drawSeries(g, plot, x, y, sorted.get(i), i);
            }
            drawLegend(g, plot, series, tickFont);
        } finally {
            g.dispose();
        }
        return image;
    }

    private static void validate(List<Series> series, int width, int height) {
        if (series == null || series.isEmpty()) {
            throw new IllegalArgumentException("no series to plot; give at least one series with points");
        }
        if (width < MIN_WIDTH || height < MIN_HEIGHT) {
            throw new IllegalArgumentException("plot size " + width + "x" + height + " is below the smallest, "
                    + MIN_WIDTH + "x" + MIN_HEIGHT);
        }
        int total = 0;
        for (Series s : series) {
            List<Series.Point> points = s.points();
            for (int i = 0; i < points.size(); i++) {
                double v = points.get(i).value();
                if (!Double.isFinite(v)) {
                    throw new IllegalArgumentException("series '" + s.name() + "' has value " + v + " at index "
                            + i + " (step " + points.get(i).step() + "); only finite values can be plotted: drop "
                            + "or stop on diverged losses");
                }
            }
            total += points.size();
        }
        if (total == 0) {
            throw new IllegalArgumentException("the " + series.size() + " series to plot have no points");
        }
    }

    private static void drawGridAndAxes(Graphics2D g, Rectangle plot, AxisScale x, AxisScale y, Font font) {
        g.setFont(font);
        FontMetrics fm = g.getFontMetrics();
        g.setStroke(new BasicStroke(1f));
        for (double t : y.ticks()) {
            double py = toY(plot, y, t);
            g.setColor(GRID);
            g.draw(new Line2D.Double(plot.x, py, plot.getMaxX(), py));
            g.setColor(AXIS);
            g.draw(new Line2D.Double(plot.x - 5, py, plot.x, py));
            String label = y.label(t);
            g.drawString(label, plot.x - 8 - fm.stringWidth(label), (float) (py + fm.getAscent() / 2.0 - 1));
        }
        for (double t : x.ticks()) {
            double px = toX(plot, x, t);
            g.setColor(GRID);
            g.draw(new Line2D.Double(px, plot.y, px, plot.getMaxY()));
            g.setColor(AXIS);
            g.draw(new Line2D.Double(px, plot.getMaxY(), px, plot.getMaxY() + 5));
            drawCentered(g, x.stepLabel(t), px, plot.getMaxY() + 8 + fm.getAscent());
        }
        g.setColor(AXIS);
        g.draw(new Rectangle(plot.x, plot.y, plot.width, plot.height));
        drawCentered(g, "step", plot.getCenterX(), plot.getMaxY() + 26 + fm.getAscent());
        AffineTransform saved = g.getTransform();
        g.rotate(-Math.PI / 2);
        drawCentered(g, "loss", -plot.getCenterY(), 8 + fm.getAscent());
        g.setTransform(saved);
    }

    private static void drawSeries(Graphics2D g, Rectangle plot, AxisScale x, AxisScale y,
                                   List<Series.Point> points, int index) {
        if (points.isEmpty()) {
            return;
        }
        Shape savedClip = g.getClip();
        g.clip(new Rectangle(plot.x, plot.y, plot.width + 1, plot.height + 1));
        g.setColor(colorOf(index));
        g.setStroke(stroke(index, 2f));
        Path2D.Double line = new Path2D.Double();
        for (int i = 0; i < points.size(); i++) {
            double px = toX(plot, x, points.get(i).step());
            double py = toY(plot, y, points.get(i).value());
            if (i == 0) {
                line.moveTo(px, py);
            } else {
                line.lineTo(px, py);
            }
        }
        g.draw(line);
        if (points.size() <= MARKER_LIMIT) {
            for (Series.Point p : points) {
                double px = toX(plot, x, p.step());
                double py = toY(plot, y, p.value());
                g.fill(new Ellipse2D.Double(px - 3.5, py - 3.5, 7, 7));
            }
        }
        g.setClip(savedClip);
    }

    private static void drawLegend(Graphics2D g, Rectangle plot, List<Series> series, Font font) {
        g.setFont(font);
        FontMetrics fm = g.getFontMetrics();
        int swatch = 24;
        int rowHeight = fm.getHeight() + 4;
        int textWidth = 0;
        for (Series s : series) {
            textWidth = Math.max(textWidth, fm.stringWidth(s.name()));
        }
        int boxWidth = 10 + swatch + 8 + textWidth + 10;
        int boxHeight = 8 + rowHeight * series.size() + 4;
        int bx = (int) plot.getMaxX() - boxWidth - 10;
        int by = plot.y + 10;
        g.setColor(new Color(255, 255, 255, 230));
        g.fillRect(bx, by, boxWidth, boxHeight);
        g.setColor(new Color(0xbbbbbb));
        g.setStroke(new BasicStroke(1f));
        g.drawRect(bx, by, boxWidth, boxHeight);
        for (int i = 0; i < series.size(); i++) {
            int cy = by + 8 + rowHeight * i + rowHeight / 2;
            g.setColor(colorOf(i));
            g.setStroke(stroke(i, 3f));
            g.draw(new Line2D.Double(bx + 10, cy, bx + 10 + swatch, cy));
            g.setColor(Color.BLACK);
            g.drawString(series.get(i).name(), bx + 10 + swatch + 8, cy + fm.getAscent() / 2f - 1);
        }
    }

    private static Stroke stroke(int index, float width) {
        if (index < PALETTE.size()) {
            return new BasicStroke(width, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND);
        }
        return new BasicStroke(width, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f, new float[] {8f, 5f}, 0f);
    }

    private static double toX(Rectangle plot, AxisScale x, double v) {
        return plot.x + x.fraction(v) * plot.width;
    }

    private static double toY(Rectangle plot, AxisScale y, double v) {
        return plot.getMaxY() - y.fraction(v) * plot.height;
    }

    static void drawCentered(Graphics2D g, String text, double cx, double baseline) {
        g.drawString(text, (float) (cx - g.getFontMetrics().stringWidth(text) / 2.0), (float) baseline);
    }
}
