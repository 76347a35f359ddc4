package org.transformer4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bench --inference} prints cached generation and forward numbers for backend-cpu and ONNX Runtime. */
class BenchInferenceTest {

    @Test
    void printsBothRuntimesSideBySide(@TempDir Path tmp) throws Exception {
        Path text = tmp.resolve("tiny.txt");
        Files.writeString(text, "to be or not to be, that is the question.\n".repeat(20));
        String out = CliOutput.ok("bench", "--inference", "--runs", "1", "--warm-up", "0", "--threads", "1", "--data", text.toString());
        assertTrue(out.contains("4 layers x 4 heads x 128 wide") && out.contains("context 64"), out);
        assertTrue(out.contains("backend-cpu") && out.contains("onnxruntime"), out);
        for (String row : new String[] {"cached generation (64 tokens), tokens/s", "forward 8 x 64, ms", "forward 8 x 64, tokens/s"}) {
            String line = out.lines().filter(l -> l.startsWith(row)).findFirst().orElseThrow(() -> new AssertionError(
                    "no row '" + row + "' in:\n" + out));
            double[] values = Arrays.stream(line.substring(row.length()).trim().split("\\s+"))
                    .mapToDouble(Double::parseDouble).toArray();
            assertEquals(2, values.length, line);
            assertTrue(values[0] > 0 && values[1] > 0 && Double.isFinite(values[0]) && Double.isFinite(values[1]), line);
        }
        assertTrue(!out.contains("train loss"), "--inference does not train: " + out);
    }
}
