package org.transformer4j.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** All-or-nothing writes: the previous file survives any failure and no temporary file is left. */
class AtomicFilesTest {
    @TempDir
    Path dir;

    private List<String> listing() throws IOException {
        try (var s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void writesAndReplaces() throws Exception {
        Path target = dir.resolve("config.json");
        AtomicFiles.writeString(target, "{\"a\":1}");
        AtomicFiles.writeString(target, "{\"\u00e9\":2}");
        assertEquals("{\"\u00e9\":2}", Files.readString(target, StandardCharsets.UTF_8));
        assertEquals(List.of("config.json"), listing());
    }

    @Test
    void failingWriterLeavesPreviousFileAndNoTemp() throws Exception {
        Path target = dir.resolve("model.safetensors");
        byte[] before = {1, 2, 3, 4, 5};
        Files.write(target, before);

        IOException e = assertThrows(IOException.class, () -> AtomicFiles.write(target, out -> {
            out.write(new byte[100_000]); // past the buffer, so bytes reach the temporary file
            throw new IOException("disk on fire");
        }));

        assertTrue(e.getMessage().contains(target.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("disk on fire"), e.getMessage());
        assertArrayEquals(before, Files.readAllBytes(target));
        assertEquals(List.of("model.safetensors"), listing());
    }

    @Test
    void runtimeFailureIsRethrownUnchangedAndCleanedUp() throws Exception {
        Path target = dir.resolve("tokenizer.json");
        Files.writeString(target, "old");
        IllegalStateException boom = new IllegalStateException("boom");

        IllegalStateException e = assertThrows(IllegalStateException.class, () -> AtomicFiles.write(target, out -> {
            out.write("half".getBytes(StandardCharsets.UTF_8));
            throw boom;
        }));

        assertSame(boom, e);
        assertEquals("old", Files.readString(target));
        assertEquals(List.of("tokenizer.json"), listing());
    }

    @Test
    void failedWriteOfANewFileLeavesNothing() throws Exception {
        Path target = dir.resolve("new.bin");
        assertThrows(IOException.class, () -> AtomicFiles.write(target, out -> {
            throw new IOException("no");
        }));
        assertTrue(Files.notExists(target));
        assertEquals(List.of(), listing());
    }

    @Test
    void writerMayCloseTheStream() throws Exception {
        Path target = dir.resolve("closed.txt");
        AtomicFiles.write(target, out -> {
            out.write('x');
            out.close();
        });
        assertEquals("x", Files.readString(target));
    }

    @Test
    void parentThatIsAFileFailsNamingThePath() throws Exception {
        Path file = Files.writeString(dir.resolve("regular"), "x");
        Path target = file.resolve("config.json");
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.writeString(target, "{}"));
        assertTrue(e.getMessage().contains(target.toString()), e.getMessage());
    }

    @Test
    void readOnlyDirectoryFailsNamingThePath() throws Exception {
        Assumptions.assumeTrue(Files.getFileAttributeView(dir, PosixFileAttributeView.class) != null,
                "needs POSIX permissions");
        Path locked = Files.createDirectory(dir.resolve("locked"));
        Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("r-xr-xr-x"));
        try {
            Assumptions.assumeFalse(Files.isWritable(locked),
                    "running as root: a read-only directory is still writable (the regular-file-parent test covers this)");
            Path target = locked.resolve("config.json");
            IOException e = assertThrows(IOException.class, () -> AtomicFiles.writeString(target, "{}"));
            assertTrue(e.getMessage().contains(target.toString()), e.getMessage());
        } finally {
            Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    @Test
    void newFileGetsTheUsualPermissionsNotOwnerOnly() throws Exception {
        Assumptions.assumeTrue(Files.getFileAttributeView(dir, PosixFileAttributeView.class) != null,
                "needs POSIX permissions");
        Path plain = Files.createFile(dir.resolve("plain"));
        Path atomic = dir.resolve("atomic");
        AtomicFiles.writeString(atomic, "x");
        assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(atomic));
    }
}
