package org.transformer4j.tensorflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.Event;
import org.tensorflow.proto.Summary;
import org.tensorflow.proto.TensorProto;
import org.transformer4j.train.TensorBoardWriter;
import org.transformer4j.train.TrainingListener.EvalMetrics;
import org.transformer4j.train.TrainingListener.StepMetrics;

/**
 * Writes metrics through the pure-Java {@link TensorBoardWriter} and reads the TFRecord event file back
 * independently, with TensorFlow's own {@code Event} protocol buffer classes as the oracle.
 */
class TensorBoardWriterTest {

    /** One scalar as found in the event file. */
    record Scalar(long step, String tag, float value) {
    }

    @Test
    void writesStepAndEvalScalarsReadableAsTfRecordEvents(@TempDir Path tmp) throws IOException {
        Path dir = tmp.resolve("runs/tb");
        try (TensorBoardWriter w = new TensorBoardWriter(dir)) {
            w.onStep(new StepMetrics(1, 3, 4.25f, 1e-3f, 0.5, 1000.0, 12.0));
            w.onStep(new StepMetrics(2, 3, 3.5f, 2e-3f, 0.4, 1500.5, 11.0));
            w.onEvaluation(new EvalMetrics(2, 3.25f, 3.75f));
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.toList();
        }
        assertEquals(1, files.size(), "one event file expected in " + dir + ": " + files);
        String name = files.getFirst().getFileName().toString();
        assertTrue(name.startsWith("events.out.tfevents."), name);

        List<Event> events = readRecords(Files.readAllBytes(files.getFirst()));
        assertEquals("brain.Event:2", events.getFirst().getFileVersion());
        List<Scalar> scalars = new ArrayList<>();
        for (Event e : events) {
            for (Summary.Value v : e.getSummary().getValueList()) {
                scalars.add(new Scalar(e.getStep(), v.getTag(), scalarValue(v)));
            }
        }
        assertEquals(List.of(
                new Scalar(1, "train/loss", 4.25f),
                new Scalar(1, "train/lr", 1e-3f),
                new Scalar(1, "train/tokens_per_second", 1000.0f),
                new Scalar(2, "train/loss", 3.5f),
                new Scalar(2, "train/lr", 2e-3f),
                new Scalar(2, "train/tokens_per_second", 1500.5f),
                new Scalar(2, "eval/train_loss", 3.25f),
                new Scalar(2, "eval/val_loss", 3.75f)), scalars);
    }

    @Test
    void closeIsIdempotentAndWritingAfterCloseFailsClearly(@TempDir Path tmp) {
        TensorBoardWriter w = new TensorBoardWriter(tmp);
        w.close();
        w.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> w.scalar("x", 0, 1f));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
    }

    @Test
    void unusableDirectoryIsAClearError(@TempDir Path tmp) throws IOException {
        Path file = Files.writeString(tmp.resolve("not-a-dir"), "x");
        UncheckedIOException e = assertThrows(UncheckedIOException.class,
                () -> new TensorBoardWriter(file.resolve("sub")));
        assertTrue(e.getMessage().contains(file.resolve("sub").toString()), e.getMessage());
    }

    /** The scalar of a summary value, whether written as simple_value or as a scalar tensor. */
    private static float scalarValue(Summary.Value v) {
        return switch (v.getValueCase()) {
            case SIMPLE_VALUE -> v.getSimpleValue();
            case TENSOR -> {
                TensorProto t = v.getTensor();
                if (t.getDtype() == DataType.DT_FLOAT) {
                    yield t.getFloatValCount() > 0 ? t.getFloatVal(0)
                            : t.getTensorContent().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).getFloat();
                }
                throw new AssertionError("unexpected tensor dtype " + t.getDtype() + " for tag " + v.getTag());
            }
            default -> throw new AssertionError("unexpected value case " + v.getValueCase() + " for " + v.getTag());
        };
    }

    /** Parses a TFRecord file: uint64 length, masked crc32c(length), data, masked crc32c(data); all little-endian. */
    private static List<Event> readRecords(byte[] bytes) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        List<Event> events = new ArrayList<>();
        while (b.hasRemaining()) {
            int start = b.position();
            long length = b.getLong();
            assertEquals(maskedCrc(bytes, start, 8), b.getInt(), "length crc of record at " + start);
            byte[] data = new byte[Math.toIntExact(length)];
            int dataStart = b.position();
            b.get(data);
            assertEquals(maskedCrc(bytes, dataStart, data.length), b.getInt(), "data crc of record at " + start);
            events.add(Event.parseFrom(data));
        }
        return events;
    }

    private static int maskedCrc(byte[] bytes, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, offset, length);
        int c = (int) crc.getValue();
        return ((c >>> 15) | (c << 17)) + 0xa282ead8;
    }
}
