package org.transformer4j.examples.plot;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.Rectangle;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A heatmap of attention weights written as a PNG: one row per query token, one column per key token, each
 * cell coloured by its weight with {@link Viridis} (0 dark purple, 1 yellow), token labels on both axes and a
 * colour scale on the right. Drawn with plain {@code java.awt}, headless.
 *
 * <p>The image size follows the matrix: cells are up to {@value #MAX_CELL} pixels for short sequences and
 * shrink to fit long ones (down to {@value #MIN_CELL}); when cells are too small for every label, only every
 * k-th label is drawn. Column labels are turned vertical when a label is wider than a cell. Cells of at least
 * {@value #VALUE_TEXT_CELL} pixels also show their weight to two decimals. {@link #layout} tells where each
 * cell is.
 */
public final class AttentionHeatmap {

    static {
        PngFiles.ensureHeadless();
    }

    /** Largest cell side in pixels. */
    public static final int MAX_CELL = 48;
    /** Smallest cell side in pixels. */
    public static final int MIN_CELL = 3;
    /** Cells at least this large print their weight. */
    public static final int VALUE_TEXT_CELL = 40;
    /** Weights may exceed [0, 1] by this much (rounding of a softmax) and are clamped; more is an error. */
    public static final double TOLERANCE = 1e-3;

    /** The grid of cells aims at about this many pixels along its longer side. */
    private static final int TARGET_GRID = 720;
    private static final int LABEL_MAX_CHARS = 14;
    private static final int LEGEND_GAP = 20;
    private static final int LEGEND_BAR = 16;
    private static final int MIN_LEGEND_HEIGHT = 160;

    /**
     * Where things are in the image: its size, the top-left corner of the grid of cells, the side of a cell,
     * and how many rows and columns.
     */
    public record Layout(int width, int height, int gridX, int gridY, int cellSize, int rows, int cols) {

        /** The pixels of the cell of query {@code row} and key {@code col}. */
        public Rectangle cell(int row, int col) {
            return new Rectangle(gridX + col * cellSize, gridY + row * cellSize, cellSize, cellSize);
        }
    }

    private AttentionHeatmap() {
    }

    /**
     * Writes the heatmap of {@code weights} ({@code [queries][keys]}, values in [0, 1]) to {@code png}
     * (replaced atomically, parent directories created) and returns its layout.
     *
     * @param rowLabels one label per row (query token)
     * @param colLabels one label per column (key token)
     * @param title     drawn above; null or blank for none
     * @throws IllegalArgumentException if the matrix is empty or ragged, a label list has the wrong size,
     *                                  or a weight is NaN or outside [0, 1] (named by row and column)
     * @throws java.io.UncheckedIOException if the file cannot be written
     */
    public static Layout write(Path png, float[][] weights, List<String> rowLabels, List<String> colLabels,
                               String title) {
        BufferedImage image = render(weights, rowLabels, colLabels, title);
        PngFiles.write(image, png);
        return layout(weights, rowLabels, colLabels, title);
    }

    /** The heatmap as an image, without writing it; the same checks as {@link #write}. */
    public static BufferedImage render(float[][] weights, List<String> rowLabels, List<String> colLabels,
                                       String title) {
        Plan p = plan(weights, rowLabels, colLabels, title);
        Layout l = p.layout;
        BufferedImage image = new BufferedImage(l.width(), l.height(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = PngFiles.graphics(image);
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, l.width(), l.height());
            if (p.hasTitle) {
                g.setFont(p.titleFont);
                g.setColor(Color.BLACK);
                LossPlot.drawCentered(g, title, l.width() / 2.0, 10 + g.getFontMetrics().getAscent());
            }
            drawCells(g, l, weights);
            drawLabels(g, p, rowLabels, colLabels);
            drawLegend(g, p);
        } finally {
            g.dispose();
        }
        return image;
    }

    /** The layout {@link #write} and {@link #render} use for these arguments; the same checks. */
    public static Layout layout(float[][] weights, List<String> rowLabels, List<String> colLabels, String title) {
        return plan(weights, rowLabels, colLabels, title).layout;
    }

    /** Everything measured before drawing. */
    private record Plan(Layout layout, boolean hasTitle, Font titleFont, Font labelFont, Font axisFont,
                        boolean verticalColLabels, int rowEvery, int colEvery, int legendX, int legendY,
                        int legendHeight, int colLabelDepth) {
    }

    private static Plan plan(float[][] weights, List<String> rowLabels, List<String> colLabels, String title) {
        validate(weights, rowLabels, colLabels);
        int rows = weights.length;
        int cols = weights[0].length;
        int cell = Math.clamp(TARGET_GRID / Math.max(rows, cols), MIN_CELL, MAX_CELL);
        int labelSize = Math.clamp(cell - 3, 9, 13);
        Font labelFont = new Font(PngFiles.FONT, Font.PLAIN, labelSize);
        Font axisFont = new Font(PngFiles.FONT, Font.PLAIN, 13);
        Font titleFont = new Font(PngFiles.FONT, Font.BOLD, 16);
        boolean hasTitle = title != null && !title.isBlank();

        BufferedImage scratch = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = PngFiles.graphics(scratch);
        try {
            FontMetrics lm = g.getFontMetrics(labelFont);
            FontMetrics am = g.getFontMetrics(axisFont);
            FontMetrics tm = g.getFontMetrics(titleFont);
            int every = Math.max(1, (int) Math.ceil((lm.getHeight() + 1.0) / cell));
            int rowLabelWidth = maxWidth(lm, rowLabels, every);
            int colLabelWidth = maxWidth(lm, colLabels, every);
            boolean vertical = colLabelWidth > cell * every - 4;
            int colLabelDepth = vertical ? colLabelWidth : lm.getHeight();

            int gridW = cols * cell;
            int gridH = rows * cell;
            int top = hasTitle ? 10 + tm.getHeight() + 12 : 14;
            int gridX = 10 + am.getHeight() + 6 + rowLabelWidth + 6;
            int legendX = gridX + gridW + LEGEND_GAP;
            int legendHeight = Math.max(gridH, MIN_LEGEND_HEIGHT);
            int legendWidth = LEGEND_BAR + 6 + lm.stringWidth("0.75") + 12;
            int width = legendX + legendWidth;
            if (hasTitle) {
                width = Math.max(width, tm.stringWidth(title) + 20);
            }
            int height = top + Math.max(gridH + 6 + colLabelDepth + 8 + am.getHeight() + 8, legendHeight + 12);
            Layout layout = new Layout(width, height, gridX, top, cell, rows, cols);
            return new Plan(layout, hasTitle, titleFont, labelFont, axisFont, vertical, every, every, legendX, top,
                    legendHeight, colLabelDepth);
        } finally {
            g.dispose();
        }
    }

    private static void validate(float[][] weights, List<String> rowLabels, List<String> colLabels) {
        if (weights == null || weights.length == 0 || weights[0] == null || weights[0].length == 0) {
            throw new IllegalArgumentException("the attention matrix is empty; give at least one query row and "
                    + "one key column");
        }
        int cols = weights[0].length;
        for (int r = 0; r < weights.length; r++) {
            if (weights[r] == null || weights[r].length != cols) {
                throw new IllegalArgumentException("attention row " + r + " has "
                        + (weights[r] == null ? "no array" : weights[r].length + " columns") + " but row 0 has "
                        + cols + "; the matrix must be rectangular [queries][keys]");
            }
            for (int c = 0; c < cols; c++) {
                float w = weights[r][c];
                if (Float.isNaN(w) || w < -TOLERANCE || w > 1 + TOLERANCE) {
                    throw new IllegalArgumentException("attention weight [" + r + "][" + c + "] = " + w
                            + " is outside [0, 1]; pass softmax probabilities");
                }
            }
        }
        if (rowLabels == null || rowLabels.size() != weights.length) {
            throw new IllegalArgumentException("got " + (rowLabels == null ? "no" : rowLabels.size())
                    + " row labels for " + weights.length + " query rows; give one label per row");
        }
        if (colLabels == null || colLabels.size() != cols) {
            throw new IllegalArgumentException("got " + (colLabels == null ? "no" : colLabels.size())
                    + " column labels for " + cols + " key columns; give one label per column");
        }
    }

    private static void drawCells(Graphics2D g, Layout l, float[][] weights) {
        boolean text = l.cellSize() >= VALUE_TEXT_CELL;
        Font valueFont = new Font(PngFiles.FONT, Font.PLAIN, 11);
        g.setFont(valueFont);
        FontMetrics fm = g.getFontMetrics();
        for (int r = 0; r < l.rows(); r++) {
            for (int c = 0; c < l.cols(); c++) {
                double w = Math.clamp(weights[r][c], 0.0, 1.0);
                Rectangle cell = l.cell(r, c);
                Color color = Viridis.color(w);
                g.setColor(color);
                g.fillRect(cell.x, cell.y, cell.width, cell.height);
                if (text) {
                    String s = String.format(Locale.ROOT, "%.2f", w);
                    g.setColor(luminance(color) > 0.5 ? Color.BLACK : Color.WHITE);
                    g.drawString(s, (float) (cell.getCenterX() - fm.stringWidth(s) / 2.0),
                            (float) (cell.getCenterY() + fm.getAscent() / 2.0 - 1));
                }
            }
        }
        g.setColor(new Color(0x666666));
        g.setStroke(new BasicStroke(1f));
        g.drawRect(l.gridX() - 1, l.gridY() - 1, l.cols() * l.cellSize() + 1, l.rows() * l.cellSize() + 1);
    }

    private static void drawLabels(Graphics2D g, Plan p, List<String> rowLabels, List<String> colLabels) {
        Layout l = p.layout;
        g.setColor(Color.BLACK);
        g.setFont(p.labelFont);
        FontMetrics fm = g.getFontMetrics();
        for (int r = 0; r < l.rows(); r += p.rowEvery) {
            String s = display(rowLabels.get(r));
            Rectangle cell = l.cell(r, 0);
            g.drawString(s, l.gridX() - 6 - fm.stringWidth(s), (float) (cell.getCenterY() + fm.getAscent() / 2.0 - 1));
        }
        int below = l.gridY() + l.rows() * l.cellSize() + 6;
        for (int c = 0; c < l.cols(); c += p.colEvery) {
            String s = display(colLabels.get(c));
            Rectangle cell = l.cell(0, c);
            if (p.verticalColLabels) {
                AffineTransform saved = g.getTransform();
                g.translate(cell.getCenterX() - fm.getAscent() / 2.0, below);
                g.rotate(Math.PI / 2);
                g.drawString(s, 0, 0);
                g.setTransform(saved);
            } else {
                LossPlot.drawCentered(g, s, cell.getCenterX(), below + fm.getAscent());
            }
        }
        g.setFont(p.axisFont);
        FontMetrics am = g.getFontMetrics();
        int gridW = l.cols() * l.cellSize();
        LossPlot.drawCentered(g, "keys", l.gridX() + gridW / 2.0, below + p.colLabelDepth + 8 + am.getAscent());
        AffineTransform saved = g.getTransform();
        g.rotate(-Math.PI / 2);
        LossPlot.drawCentered(g, "queries", -(l.gridY() + l.rows() * l.cellSize() / 2.0), 10 + am.getAscent());
        g.setTransform(saved);
    }

    private static void drawLegend(Graphics2D g, Plan p) {
        int x = p.legendX;
        int y = p.legendY;
        int h = p.legendHeight;
        for (int i = 0; i < h; i++) {
            g.setColor(Viridis.color(1.0 - (double) i / (h - 1)));
            g.fillRect(x, y + i, LEGEND_BAR, 1);
        }
        g.setColor(new Color(0x666666));
        g.drawRect(x - 1, y - 1, LEGEND_BAR + 1, h + 1);
        g.setFont(p.labelFont);
        FontMetrics fm = g.getFontMetrics();
        for (double t = 0; t <= 1.0001; t += 0.25) {
            int ty = y + (int) Math.round((1 - t) * (h - 1));
            g.setColor(new Color(0x333333));
            g.drawLine(x + LEGEND_BAR, ty, x + LEGEND_BAR + 3, ty);
            String s = t == 0 ? "0" : t == 1 ? "1" : String.format(Locale.ROOT, "%.2f", t).replaceAll("0$", "");
            g.drawString(s, x + LEGEND_BAR + 6, ty + fm.getAscent() / 2f - 1);
        }
    }

    private static int maxWidth(FontMetrics fm, List<String> labels, int every) {
        int w = 0;
        for (int i = 0; i < labels.size(); i += every) {
            w = Math.max(w, fm.stringWidth(display(labels.get(i))));
        }
        return w;
    }

    /** A label as drawn: whitespace made visible, long labels cut with an ellipsis. */
    static String display(String label) {
        if (label == null || label.isEmpty()) {
            return "\u2205";
        }
        List<String> parts = new ArrayList<>();
        label.codePoints().forEach(cp -> parts.add(switch (cp) {
            case ' ' -> "\u2423";
            case '\n' -> "\\n";
            case '\t' -> "\\t";
            case '\r' -> "\\r";
            default -> Character.isISOControl(cp) ? String.format(Locale.ROOT, "\\x%02x", cp)
                    : Character.toString(cp);
        }));
        String s = String.join("", parts);
        return s.codePointCount(0, s.length()) <= LABEL_MAX_CHARS ? s
                : s.substring(0, s.offsetByCodePoints(0, LABEL_MAX_CHARS - 1)) + "\u2026";
    }

    private static double luminance(Color c) {
        return (0.2126 * c.getRed() + 0.7152 * c.getGreen() + 0.0722 * c.getBlue()) / 255.0;
    }
}
