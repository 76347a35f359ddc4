package org.transformer4j.cli;

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
 * ({@code kind,step,loss,val_loss,lr,grad_norm,tokens_per_s,ms}) or, for a {@code .jsonl} file, JSON lines.
 */
final class MetricsLog implements TrainingListener, AutoCloseable {
    private final BufferedWriter out;
    private final boolean json;

    MetricsLog(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        this.json = file.getFileName().toString().endsWith(".jsonl") || file.getFileName().toString().endsWith(".json");
        boolean fresh = !Files.exists(file) || Files.size(file) == 0;
        this.out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        if (fresh && !json) {
            out.write("kind,step,loss,val_loss,lr,grad_norm,tokens_per_s,ms\n");
        }
    }

    @Override
    public void onStep(StepMetrics m) {
        write(json
                ? String.format(Locale.ROOT, "{\"kind\":\"step\",\"step\":%d,\"loss\":%.6f,\"lr\":%.6g,\"grad_norm\":%.6g,\"tokens_per_s\":%.1f,\"ms\":%.3f}",
                        m.step(), m.loss(), m.lr(), m.gradNorm(), m.tokensPerSecond(), m.millis())
                : String.format(Locale.ROOT, "step,%d,%.6f,,%.6g,%.6g,%.1f,%.3f", m.step(), m.loss(), m.lr(), m.gradNorm(),
                        m.tokensPerSecond(), m.millis()));
    }

    @Override
    public void onEvaluation(EvalMetrics m) {
        write(json
                ? String.format(Locale.ROOT, "{\"kind\":\"eval\",\"step\":%d,\"loss\":%.6f,\"val_loss\":%.6f}", m.step(), m.trainLoss(), m.valLoss())
                : String.format(Locale.ROOT, "eval,%d,%.6f,%.6f,,,,", m.step(), m.trainLoss(), m.valLoss()));
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
