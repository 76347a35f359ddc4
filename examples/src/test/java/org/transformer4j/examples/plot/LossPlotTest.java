package org.transformer4j.examples.plot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LossPlotTest {

    @TempDir
    Path dir;

    private static Series train() {
        long[] steps = new long[500];
        double[] loss = new double[500];
        for (int i = 0; i < steps.length; i++) {
            steps[i] = i;
            loss[i] = 3.0 * Math.exp(-i / 150.0) + 0.5;
        }
        return Series.of("train", steps, loss);
    }

    private static Series validation() {
        return Series.of("validation", new long[] {50, 150, 250, 350, 450, 480},
                new double[] {2.6, 1.9, 1.4, 1.1, 0.95, 0.9});
    }

    @Test
    void writesAPngOfTheDefaultAndOfARequestedSize() throws IOException {
        Path png = dir.resolve("plots/loss.png");
        LossPlot.write(png, List.of(train(), validation()), "loss");
        BufferedImage image = ImageIO.read(png.toFile());
        assertNotNull(image, "not a readable image");
        assertEquals(800, image.getWidth());
        assertEquals(500, image.getHeight());

        LossPlot.write(png, List.of(train()), "loss", 640, 360);
        image = ImageIO.read(png.toFile());
        assertEquals(640, image.getWidth());
        assertEquals(360, image.getHeight());
        try (var files = Files.list(png.getParent())) {
            assertEquals(List.of(png), files.toList(), "no temporary file may remain");
        }
    }

    @Test
    void eachSeriesIsDrawnInItsColourAcrossThePlot() throws IOException {
        Path png = dir.resolve("loss.png");
        LossPlot.write(png, List.of(train(), validation()), "two series of different lengths");
        BufferedImage image = ImageIO.read(png.toFile());
        // the legend's swatches are 24 pixels wide, so a colour spread over half the image is a drawn line
        assertDrawnAcross(image, 0x1f77b4, 500, 350);
        assertDrawnAcross(image, 0xff7f0e, 100, 300);
        assertEquals(0x1f77b4, LossPlot.colorOf(0).getRGB() & 0xffffff);
        assertEquals(0xff7f0e, LossPlot.colorOf(1).getRGB() & 0xffffff);
        assertEquals(0x1f77b4, LossPlot.colorOf(10).getRGB() & 0xffffff);
    }

    private static void assertDrawnAcross(BufferedImage image, int rgb, int minPixels, int minSpan) {
        int count = 0;
        int minX = Integer.MAX_VALUE;
        int maxX = Integer.MIN_VALUE;
        Set<Integer> rows = new HashSet<>();
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                if ((image.getRGB(x, y) & 0xffffff) == rgb) {
                    count++;
                    minX = Math.min(minX, x);
                    maxX = Math.max(maxX, x);
                    rows.add(y);
                }
            }
        }
        String colour = String.format("#%06x", rgb);
        assertTrue(count >= minPixels, colour + ": only " + count + " pixels");
        assertTrue(maxX - minX >= minSpan, colour + " spans only x " + minX + ".." + maxX);
        assertTrue(rows.size() >= 100, colour + " covers only " + rows.size() + " rows: a falling loss spans many");
    }

    @Test
    void theLineFallsFromLeftToRightForAFallingLoss() throws IOException {
        Path png = dir.resolve("falling.png");
        LossPlot.write(png, List.of(train()), null);
        BufferedImage image = ImageIO.read(png.toFile());
        int leftmostY = -1;
        int rightmostY = -1;
        int leftX = Integer.MAX_VALUE;
        int rightX = Integer.MIN_VALUE;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                if ((image.getRGB(x, y) & 0xffffff) == 0x1f77b4 && x > 200) {
                    if (x < leftX) {
                        leftX = x;
                        leftmostY = y;
                    }
                    if (x > rightX) {
                        rightX = x;
                        rightmostY = y;
                    }
                }
            }
        }
        // image y grows downwards: a falling loss ends lower on the page, i.e. at a larger y
        assertTrue(rightmostY > leftmostY, "line at x=" + leftX + " y=" + leftmostY + ", at x=" + rightX + " y="
                + rightmostY);
    }

    @Test
    void aSinglePointAndAConstantSeriesAreDrawn() throws IOException {
        Path png = dir.resolve("one.png");
        LossPlot.write(png, List.of(Series.of("only", new long[] {7}, new double[] {1.5})), "one point");
        assertNotNull(ImageIO.read(png.toFile()));
        LossPlot.write(png, List.of(Series.of("flat", new long[] {1, 2, 3}, new double[] {2, 2, 2}),
                Series.of("empty so far", new long[0], new double[0])), "flat");
        assertNotNull(ImageIO.read(png.toFile()));
    }

    @Test
    void emptyOrNonFiniteInputIsRejectedWithAClearMessage() {
        Path png = dir.resolve("bad.png");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LossPlot.write(png, List.of(), "t"));
        assertTrue(e.getMessage().contains("no series"), e.getMessage());

        e = assertThrows(IllegalArgumentException.class,
                () -> LossPlot.write(png, List.of(Series.of("train", new long[0], new double[0])), "t"));
        assertTrue(e.getMessage().contains("no points"), e.getMessage());

        e = assertThrows(IllegalArgumentException.class, () -> LossPlot.write(png,
                List.of(train(), Series.of("val", new long[] {1, 2, 3}, new double[] {1, Double.NaN, 2})), "t"));
        assertTrue(e.getMessage().contains("'val'") && e.getMessage().contains("NaN")
                && e.getMessage().contains("index 1"), e.getMessage());

        e = assertThrows(IllegalArgumentException.class, () -> LossPlot.write(png,
                List.of(Series.of("train", new long[] {1}, new double[] {Double.POSITIVE_INFINITY})), "t"));
        assertTrue(e.getMessage().contains("Infinity"), e.getMessage());

        e = assertThrows(IllegalArgumentException.class,
                () -> Series.of("train", new long[] {1, 2}, new double[] {1}));
        assertTrue(e.getMessage().contains("2 steps but 1 values"), e.getMessage());
        assertTrue(Files.notExists(png), "nothing may be written on error");
    }
}
