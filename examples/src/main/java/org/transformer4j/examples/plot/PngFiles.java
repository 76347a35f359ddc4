package org.transformer4j.examples.plot;

import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import javax.imageio.ImageIO;

/**
 * What the plots share: headless AWT, a canvas to draw on, and writing a PNG atomically (a temporary file in
 * the target's directory, then an atomic move over the target), so that a viewer refreshing the file while
 * training runs never sees a half-written image.
 */
final class PngFiles {

    /** The font family of all text: a logical font, present on every JDK. */
    static final String FONT = Font.SANS_SERIF;

    private PngFiles() {
    }

    /**
     * Sets {@code java.awt.headless=true} unless the property was set already, so drawing works on a server
     * with no display. Must run before the first use of AWT's graphics environment in this JVM.
     */
    static void ensureHeadless() {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    /** Graphics drawing on {@code image}, with shape and text antialiasing on. */
    static Graphics2D graphics(BufferedImage image) {
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
        g.setRenderingHint(RenderingHints.KEY_FRACTIONALMETRICS, RenderingHints.VALUE_FRACTIONALMETRICS_ON);
        return g;
    }

    /**
     * Writes {@code image} as a PNG to {@code png}, replacing it atomically; creates missing parent
     * directories.
     *
     * @throws UncheckedIOException naming the file if it cannot be written
     */
    static void write(BufferedImage image, Path png) {
        Path target = png.toAbsolutePath();
        Path dir = target.getParent();
        Path tmp = null;
        try {
            Files.createDirectories(dir);
            tmp = Files.createTempFile(dir, "." + target.getFileName(), ".tmp");
            if (!ImageIO.write(image, "png", tmp.toFile())) {
                throw new IOException("this JDK has no PNG image writer");
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            tmp = null;
        } catch (IOException e) {
            throw new UncheckedIOException("could not write the PNG image " + target + ": " + e, e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // the write already failed and says why; a left-over temporary file is secondary
                }
            }
        }
    }
}
