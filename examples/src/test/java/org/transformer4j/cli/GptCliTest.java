package org.transformer4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The GPT path of the tool end to end on a tiny model: train writes a complete model directory, metrics, a loss plot
 * and TensorBoard events; --resume continues from the saved step; generate reads the directory back.
 */
class GptCliTest {

    @Test
    void trainResumeAndGenerate(@TempDir Path dir) throws IOException {
        Path text = dir.resolve("text.txt");
        Files.writeString(text, "to be or not to be, that is the question.\n".repeat(40));
        Path out = dir.resolve("model");
        Path tb = dir.resolve("tb");
        List<String> tiny = List.of("--data", text.toString(), "--out", out.toString(), "--layers", "1", "--heads", "2",
                "--embd", "8", "--block-size", "8", "--batch-size", "2", "--eval-interval", "2", "--eval-batches", "1",
                "--warmup", "1", "--threads", "1", "--quiet");

        CliOutput.Run first = CliOutput.run(args("train", tiny, "--steps", "4", "--tensorboard", tb.toString()));
        assertEquals(0, first.code(), first.err());
        for (String file : List.of("config.json", "model.safetensors", "tokenizer.json", "training_state.safetensors",
                "metrics.csv", "loss.png")) {
            assertTrue(Files.isRegularFile(out.resolve(file)), file + " missing; output: " + first.out());
        }
        try (Stream<Path> events = Files.list(tb)) {
            assertTrue(events.anyMatch(p -> p.getFileName().toString().startsWith("events.out.tfevents")),
                    "no TensorBoard event file in " + tb);
        }
        assertTrue(first.out().matches("(?s).*done: 4 steps in [0-9.]+ s, train loss [0-9.]+, val loss [0-9.]+;"
                + " peak RSS [0-9]+ MB, [0-9,]+ GCs \\([0-9,]+ ms\\); model in .*"), first.out());
        long stepsLogged = Files.readAllLines(out.resolve("metrics.csv")).stream().filter(l -> l.startsWith("step,")).count();
        assertEquals(4, stepsLogged);

        CliOutput.Run resumed = CliOutput.run(args("train", tiny, "--steps", "6", "--resume"));
        assertEquals(0, resumed.code(), resumed.err());
        assertTrue(resumed.out().contains("resumed at step 4"), resumed.out());
        stepsLogged = Files.readAllLines(out.resolve("metrics.csv")).stream().filter(l -> l.startsWith("step,")).count();
        assertEquals(6, stepsLogged, "the resumed run appends steps 5 and 6 only");

        CliOutput.Run generated = CliOutput.run("generate", "--model", out.toString(), "--prompt", "to be",
                "--max-tokens", "5", "--temperature", "0", "--threads", "1", "--backend", "cpu");
        assertEquals(0, generated.code(), generated.err());
        assertTrue(generated.out().startsWith("to be"), generated.out());
        assertTrue(generated.out().strip().length() > "to be".length(), "nothing generated: " + generated.out());
    }

    private static String[] args(String command, List<String> common, String... more) {
        return Stream.concat(Stream.concat(Stream.of(command), common.stream()), Stream.of(more)).toArray(String[]::new);
    }
}
