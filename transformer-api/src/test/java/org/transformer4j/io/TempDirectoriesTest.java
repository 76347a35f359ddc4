package org.transformer4j.io;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TempDirectoriesTest {
    @Test
    void deletesANestedTreeAndToleratesMissingOrNull(@TempDir Path parent) throws Exception {
        Path dir = Files.createDirectories(parent.resolve("export/sub"));
        Files.writeString(dir.resolve("model.onnx"), "x");
        Files.writeString(parent.resolve("export/config.json"), "{}");
        TempDirectories.deleteQuietly(parent.resolve("export"));
        assertFalse(Files.exists(parent.resolve("export")));
        TempDirectories.deleteQuietly(parent.resolve("export")); // already gone
        TempDirectories.deleteQuietly(null);
        assertTrue(Files.exists(parent));
    }
}
