package org.transformer4j.examples.plot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AttentionHeatmapTest {

    /** The ends of the published viridis colour map. */
    private static final int VIRIDIS_0 = 0x440154;
    private static final int VIRIDIS_1 = 0xfde725;

    @TempDir
    Path dir;

    @Test
    void cellsOfWeightOneAndZeroHaveTheColourMapsEndColours() throws IOException {
        float[][] w = {
            {1.0f, 0.0f, 0.0f},
            {0.5f, 0.5f, 0.0f},
            {0.2f, 0.3f, 0.5f}};
        Path png = dir.resolve("attn.png");
        AttentionHeatmap.Layout layout = AttentionHeatmap.write(png, w, List.of("a", "b", "c"),
                List.of("x", "y", "z"), "self-attention");
        BufferedImage image = ImageIO.read(png.toFile());
        assertNotNull(image);
        assertEquals(layout.width(), image.getWidth());
        assertEquals(layout.height(), image.getHeight());

        int one = cornerPixel(image, layout.cell(0, 0));
        int zero = cornerPixel(image, layout.cell(0, 1));
        assertNotEquals(one, zero);
        assertEquals(VIRIDIS_1, one, String.format("weight 1 drawn as #%06x", one));
        assertEquals(VIRIDIS_0, zero, String.format("weight 0 drawn as #%06x", zero));
        assertEquals(VIRIDIS_0, cornerPixel(image, layout.cell(1, 2)));
        // the middle of viridis is teal (#21908C): green and blue well above red
        int half = cornerPixel(image, layout.cell(1, 0));
        assertEquals(0x21908c, half, String.format("weight 0.5 drawn as #%06x", half));
    }

    /** A pixel 2 in from the cell's top-left corner: inside the cell, away from any value text. */
    private static int cornerPixel(BufferedImage image, Rectangle cell) {
        return image.getRGB(cell.x + 2, cell.y + 2) & 0xffffff;
    }

    @Test
    void cellSizeAdaptsToTheMatrixAndTheImageHoldsTheGrid() throws IOException {
        AttentionHeatmap.Layout small = AttentionHeatmap.layout(uniform(4, 4), labels(4), labels(4), "t");
        AttentionHeatmap.Layout large = AttentionHeatmap.layout(uniform(200, 200), labels(200), labels(200), "t");
        assertEquals(AttentionHeatmap.MAX_CELL, small.cellSize());
        assertTrue(large.cellSize() < 10 && large.cellSize() >= AttentionHeatmap.MIN_CELL, "" + large);
        assertTrue(large.gridX() + 200 * large.cellSize() <= large.width());
        assertTrue(large.gridY() + 200 * large.cellSize() <= large.height());

        Path png = dir.resolve("wide.png");
        AttentionHeatmap.Layout wide = AttentionHeatmap.write(png, uniform(3, 40), labels(3), labels(40),
                "cross-attention with long key labels");
        BufferedImage image = ImageIO.read(png.toFile());
        assertEquals(wide.width(), image.getWidth());
        assertEquals(wide.height(), image.getHeight());
        Rectangle last = wide.cell(2, 39);
        assertTrue(last.getMaxX() <= image.getWidth() && last.getMaxY() <= image.getHeight());
        assertEquals(0x21908c, cornerPixel(image, last));
    }

    private static float[][] uniform(int rows, int cols) {
        float[][] w = new float[rows][cols];
        for (float[] row : w) {
            java.util.Arrays.fill(row, 0.5f);
        }
        return w;
    }

    private static List<String> labels(int n) {
        List<String> l = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            l.add("token_" + i);
        }
        return l;
    }

    @Test
    void badInputIsRejectedWithAClearMessage() {
        Path png = dir.resolve("bad.png");
        assertMessage(() -> AttentionHeatmap.write(png, new float[0][0], List.of(), List.of(), "t"), "empty");
        assertMessage(() -> AttentionHeatmap.write(png, new float[][] {{0.5f, Float.NaN}}, List.of("a"),
                List.of("x", "y"), "t"), "[0][1] = NaN");
        assertMessage(() -> AttentionHeatmap.write(png, new float[][] {{1.5f}}, List.of("a"), List.of("x"), "t"),
                "outside [0, 1]");
        assertMessage(() -> AttentionHeatmap.write(png, new float[][] {{0.5f, 0.5f}, {1f}}, List.of("a", "b"),
                List.of("x", "y"), "t"), "row 1 has 1 columns");
        assertMessage(() -> AttentionHeatmap.write(png, new float[][] {{1f}}, List.of("a", "b"), List.of("x"), "t"),
                "2 row labels for 1 query rows");
        assertTrue(Files.notExists(png), "nothing may be written on error");
    }

    private static void assertMessage(org.junit.jupiter.api.function.Executable call, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void labelsShowWhitespaceAndAreShortened() {
        assertEquals("\u2423the", AttentionHeatmap.display(" the"));
        assertEquals("\\n", AttentionHeatmap.display("\n"));
        assertEquals("\u2205", AttentionHeatmap.display(""));
        assertEquals("abcdefghijklm\u2026", AttentionHeatmap.display("abcdefghijklmnopqrstuvwxyz"));
    }
}
