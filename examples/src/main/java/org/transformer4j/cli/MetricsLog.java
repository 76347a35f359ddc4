package org.transformer4j.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import org.transformer4j.train.TrainingListener;

/**
 * Appends training metrics to a file, one record per step and per evaluation: CSV
 * ({@code kind,step,loss,val_loss,lr,grad_norm,tokens_per_s,ms}) or, for a {@code .jsonl} or {@code .json} file,
 * JSON lines written by Jackson ({@code {"kind":"step","step":1,"loss":4.17,"lr":1.0E-3,...}}).
 *
 * <p>A loss, learning rate or norm that is NaN or infinite (a diverged run) is written as JSON {@code null}, so
 * every line stays valid JSON (JSON has no NaN); the CSV form writes {@code NaN}, {@code Infinity} or
 * {@code -Infinity}, which CSV readers such as pandas parse as numbers.
 */
final class MetricsLog implements TrainingListener, AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final BufferedWriter out;
    private final boolean json;

    MetricsLog(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        String name = file.getFileName().toString();
        this.json = name.endsWith(".jsonl") || name.endsWith(".json");
        boolean fresh = !Files.exists(file) || Files.size(file) == 0;
        this.out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        if (fresh && !json) {
            out.write("kind,step,loss,val_loss,lr,grad_norm,tokens_per_s,ms\n");
        }
    }

    @Override
    public void onStep(StepMetrics m) {
        if (json) {
            ObjectNode o = JSON.createObjectNode().put("kind", "step").put("step", m.step());
            number(o, "loss", m.loss());
            number(o, "lr", m.lr());
            number(o, "grad_norm", m.gradNorm());
            number(o, "tokens_per_s", m.tokensPerSecond());
            number(o, "ms", m.millis());
            write(o);
        } else {
            write(String.format(Locale.ROOT, "step,%d,%.6f,,%.6g,%.6g,%.1f,%.3f", m.step(), m.loss(), m.lr(),
                    m.gradNorm(), m.tokensPerSecond(), m.millis()));
        }
    }

    @Override
    public void onEvaluation(EvalMetrics m) {
        if (json) {
            ObjectNode o = JSON.createObjectNode().put("kind", "eval").put("step", m.step());
            number(o, "loss", m.trainLoss());
            number(o, "val_loss", m.valLoss());
            write(o);
        } else {
            write(String.format(Locale.ROOT, "eval,%d,%.6f,%.6f,,,,", m.step(), m.trainLoss(), m.valLoss()));
        }
    }

    /** A finite float as its shortest decimal form, else null: JSON has no NaN or infinity. */
    private static void number(ObjectNode o, String field, float v) {
        if (Float.isFinite(v)) {
            o.put(field, v);
        } else {
            o.putNull(field);
        }
    }

    private static void number(ObjectNode o, String field, double v) {
        if (Double.isFinite(v)) {
            o.put(field, v);
        } else {
            o.putNull(field);
        }
    }

    private void write(ObjectNode o) {
        try {
            write(JSON.writeValueAsString(o));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write a metrics record as JSON: " + e.getMessage(), e);
        }
    }

    private void write(String line) {
        try {
            out.write(line);
            out.write('\n');
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to the metrics file: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
