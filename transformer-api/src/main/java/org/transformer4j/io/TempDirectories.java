package org.transformer4j.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Clean-up of the temporary directories the library makes for itself (an ONNX export served by the conformance kit,
 * a checkpoint written to be read back, a benchmark's exported model): best effort, since a leftover temporary
 * directory is harmless while an exception there would hide the real outcome.
 */
public final class TempDirectories {
    private TempDirectories() {
    }

    /**
     * Deletes {@code dir} and everything under it, ignoring what cannot be deleted; a null or missing dir is fine.
     *
     * @param dir the directory to delete, or null
     */
    public static void deleteQuietly(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> {
                try {
                    Files.deleteIfExists(f);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            // best effort: see the class comment
        }
    }
}
