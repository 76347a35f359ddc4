package org.transformer4j.train;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32C;

/**
 * A {@link TrainingListener} that writes training metrics as TensorBoard event files, in pure Java: a TFRecord
 * stream (each record: little-endian uint64 length, masked CRC-32C of the length, the bytes, masked CRC-32C of the
 * bytes) of {@code tensorflow.Event} protocol buffers (a {@code brain.Event:2} version record, then one event per
 * scalar with {@code wall_time}, {@code step} and a {@code Summary} value of {@code tag} and {@code simple_value}),
 * which is what {@code tf.summary} writes and {@code tensorboard --logdir DIR} reads. It needs no native library, so
 * it can observe training on any backend.
 *
 * <p>Scalars written: {@code train/loss}, {@code train/lr}, {@code train/tokens_per_second} on every step and
 * {@code eval/train_loss}, {@code eval/val_loss} on every evaluation (which also flushes, so a running TensorBoard
 * sees them). The event file is a log that grows while training runs, as TensorBoard expects, not a file replaced
 * atomically. Calls are serialized; {@link #close()} flushes and closes the file.
 */
public final class TensorBoardWriter implements TrainingListener, AutoCloseable {
    private static final AtomicLong INSTANCES = new AtomicLong();
    private static final int MASK_DELTA = 0xa282ead8;

    private final Path logDir;
    private final Path file;
    private final OutputStream out;
    private boolean closed;

    /**
     * Opens a new event file in {@code logDir}, creating the directory if needed.
     *
     * @param logDir TensorBoard log directory (one run per directory)
     * @throws UncheckedIOException if the directory cannot be created, is not a writable directory, or the file
     *                              cannot be written
     */
    public TensorBoardWriter(Path logDir) {
        this.logDir = logDir.toAbsolutePath().normalize();
        try {
            Files.createDirectories(this.logDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the TensorBoard log directory " + this.logDir
                    + " (" + e + "); pass a writable directory to --tensorboard", e);
        }
        if (!Files.isDirectory(this.logDir) || !Files.isWritable(this.logDir)) {
            throw new UncheckedIOException(new IOException("the TensorBoard log directory " + this.logDir
                    + " is not a writable directory; pass a writable directory to --tensorboard"));
        }
        long seconds = System.currentTimeMillis() / 1000;
        this.file = this.logDir.resolve("events.out.tfevents." + seconds + "." + host() + "."
                + ProcessHandle.current().pid() + "." + INSTANCES.incrementAndGet() + ".transformer4j");
        try {
            this.out = new BufferedOutputStream(Files.newOutputStream(file, StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE));
            record(event(wallTime(), 0, versionField()));
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the TensorBoard event file " + file + " (" + e + ")", e);
        }
    }

    private static String host() {
        try {
            return InetAddress.getLocalHost().getHostName().replaceAll("[^A-Za-z0-9._-]", "_");
        } catch (IOException e) {
            return "localhost";
        }
    }

    /**
     * The absolute log directory the event file is written to.
     *
     * @return the directory
     */
    public Path logDir() {
        return logDir;
    }

    /**
     * The event file.
     *
     * @return the file's path
     */
    public Path file() {
        return file;
    }

    @Override
    public synchronized void onStep(StepMetrics m) {
        scalar("train/loss", m.step(), m.loss());
        scalar("train/lr", m.step(), m.lr());
        scalar("train/tokens_per_second", m.step(), (float) m.tokensPerSecond());
    }

    @Override
    public synchronized void onEvaluation(EvalMetrics m) {
        scalar("eval/train_loss", m.step(), m.trainLoss());
        scalar("eval/val_loss", m.step(), m.valLoss());
        flush();
    }

    /**
     * Writes one scalar (any tag) at a step (buffered until the next flush).
     *
     * @param tag the scalar's name, e.g. {@code loss/train}
     * @param step the x axis
     * @param value the y value
     * @throws IllegalStateException if the writer was closed
     * @throws UncheckedIOException  if the file cannot be written
     */
    public synchronized void scalar(String tag, long step, float value) {
        ensureOpen();
        ByteArrayOutputStream v = new ByteArrayOutputStream();
        bytesField(v, 1, tag.getBytes(StandardCharsets.UTF_8));     // Summary.Value.tag
        key(v, 2, 5);                                                // Summary.Value.simple_value (fixed32)
        fixed32(v, Float.floatToRawIntBits(value));
        ByteArrayOutputStream summary = new ByteArrayOutputStream();
        bytesField(summary, 1, v.toByteArray());                     // Summary.value
        ByteArrayOutputStream field = new ByteArrayOutputStream();
        bytesField(field, 5, summary.toByteArray());                 // Event.summary
        try {
            record(event(wallTime(), step, field.toByteArray()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write to the TensorBoard event file " + file + " (" + e + ")", e);
        }
    }

    /** Forces buffered events to disk, so a running TensorBoard sees them. */
    public synchronized void flush() {
        ensureOpen();
        try {
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot flush the TensorBoard event file " + file + " (" + e + ")", e);
        }
    }

    /** Flushes and closes the event file; idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            out.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close the TensorBoard event file " + file + " (" + e + ")", e);
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("TensorBoardWriter for " + logDir + " is closed");
        }
    }

    private static double wallTime() {
        return System.currentTimeMillis() / 1000.0;
    }

    /** Event.file_version = "brain.Event:2". */
    private static byte[] versionField() {
        ByteArrayOutputStream f = new ByteArrayOutputStream();
        bytesField(f, 3, "brain.Event:2".getBytes(StandardCharsets.UTF_8));
        return f.toByteArray();
    }

    /** An Event: wall_time (1, double), step (2, varint), then {@code rest} (already encoded fields). */
    private static byte[] event(double wallTime, long step, byte[] rest) {
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        key(e, 1, 1);
        long bits = Double.doubleToRawLongBits(wallTime);
        fixed32(e, (int) bits);
        fixed32(e, (int) (bits >>> 32));
        if (step != 0) {
            key(e, 2, 0);
            varint(e, step);
        }
        e.writeBytes(rest);
        return e.toByteArray();
    }

    /** One TFRecord: length, masked CRC of the length, data, masked CRC of the data (little-endian). */
    private void record(byte[] data) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
        header.putLong(data.length);
        header.putInt(maskedCrc(header.array(), 0, 8));
        ByteBuffer footer = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
        footer.putInt(maskedCrc(data, 0, data.length));
        out.write(header.array());
        out.write(data);
        out.write(footer.array());
    }

    private static int maskedCrc(byte[] bytes, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, offset, length);
        int c = (int) crc.getValue();
        return ((c >>> 15) | (c << 17)) + MASK_DELTA;
    }

    private static void key(ByteArrayOutputStream out, int field, int wireType) {
        varint(out, ((long) field << 3) | wireType);
    }

    private static void bytesField(ByteArrayOutputStream out, int field, byte[] bytes) {
        key(out, field, 2);
        varint(out, bytes.length);
        out.writeBytes(bytes);
    }

    private static void varint(ByteArrayOutputStream out, long v) {
        while ((v & ~0x7FL) != 0) {
            out.write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
    }

    private static void fixed32(ByteArrayOutputStream out, int v) {
        out.write(v);
        out.write(v >>> 8);
        out.write(v >>> 16);
        out.write(v >>> 24);
    }
}
