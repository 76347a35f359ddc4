package org.transformer4j.io;

import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Objects;

/**
 * Writes files all-or-nothing, so a crash, a full disk or a failing writer never leaves a half-written
 * checkpoint, config or tokenizer behind: the content goes to a temporary file in the target's directory,
 * is flushed and fsynced, then renamed over the target with an atomic move. On any failure the temporary
 * file is deleted and the previous target, if any, is left untouched.
 */
public final class AtomicFiles {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int BUFFER_BYTES = 1 << 16;

    private AtomicFiles() {
    }

    /**
     * Atomically replaces {@code target} with the UTF-8 bytes of {@code text}.
     *
     * @param target the file to replace or create
     * @param text its new content
     * @throws java.io.IOException naming {@code target} when the directory is missing or unwritable or the disk is full
     */
    public static void writeString(Path target, String text) throws IOException {
        Objects.requireNonNull(text, "text");
        write(target, out -> out.write(text.getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * Atomically replaces {@code target} with the bytes {@code data}.
     *
     * @param target the file to replace or create
     * @param data its new content
     * @throws java.io.IOException naming {@code target} when the directory is missing or unwritable or the disk is full
     */
    public static void writeBytes(Path target, byte[] data) throws IOException {
        Objects.requireNonNull(data, "data");
        write(target, out -> out.write(data));
    }

    /**
     * Atomically replaces {@code target} with what {@code writer} writes to the (buffered) stream it is given.
     * If the writer throws, no temporary file remains and the previous {@code target} is unchanged; a runtime
     * exception or error propagates as it is, an {@link IOException} wrapped in one that names {@code target}.
     *
     * @param target the file to replace or create
     * @param writer writes the content; it must not close the stream
     * @throws IOException naming {@code target} when the directory is missing or unwritable, the disk is full,
     *                     or the writer fails
     */
    public static void write(Path target, IoConsumer<OutputStream> writer) throws IOException {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(writer, "writer");
        Path absolute = target.toAbsolutePath();
        Path dir = absolute.getParent();
        if (dir == null || absolute.getFileName() == null) {
            throw new IOException("cannot write " + target + ": it names no file inside a directory");
        }
        Path tmp = createTemp(target, dir, absolute.getFileName().toString());
        try {
            try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                OutputStream buffered = new BufferedOutputStream(Channels.newOutputStream(channel), BUFFER_BYTES);
                writer.accept(new UncloseableStream(buffered));
                buffered.flush();
                channel.force(true);
            }
            try {
                Files.move(tmp, absolute, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, absolute, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            deleteQuietly(tmp, e);
            throw new IOException("cannot write " + target + ": " + e, e);
        } catch (RuntimeException | Error e) {
            deleteQuietly(tmp, e);
            throw e;
        }
        syncDirectory(dir);
    }

    private static Path createTemp(Path target, Path dir, String name) throws IOException {
        // Not Files.createTempFile: that makes the file owner-only (0600), and the rename would keep it so.
        for (int attempt = 0; ; attempt++) {
            byte[] suffix = new byte[6];
            RANDOM.nextBytes(suffix);
            Path tmp = dir.resolve("." + name + "." + HexFormat.of().formatHex(suffix) + ".tmp");
            try {
                Files.newByteChannel(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE).close();
                return tmp;
            } catch (FileAlreadyExistsException e) {
                if (attempt >= 10) {
                    throw new IOException("cannot write " + target + ": no free temporary file name in " + dir, e);
                }
            } catch (IOException e) {
                throw new IOException("cannot write " + target + ": cannot create a temporary file in " + dir
                        + " (" + e + "); check that the directory exists and is writable", e);
            }
        }
    }

    private static void deleteQuietly(Path tmp, Throwable failure) {
        try {
            Files.deleteIfExists(tmp);
        } catch (IOException e) {
            failure.addSuppressed(e); // reported along with the failure itself
        }
    }

    /** Makes the rename durable where the platform allows fsync on a directory (POSIX); best effort elsewhere. */
    private static void syncDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // Windows cannot open a directory as a channel; the rename itself has already succeeded.
        }
    }

    /** Passes writes through but ignores close(), so the writer cannot close the channel before fsync. */
    private static final class UncloseableStream extends FilterOutputStream {
        UncloseableStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            out.flush();
        }
    }
}
