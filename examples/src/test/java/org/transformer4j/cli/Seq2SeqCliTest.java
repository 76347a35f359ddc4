package org.transformer4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.transformer4j.examples.dates.DatePairsTsv;
import org.transformer4j.examples.dates.DateTranslationTask;
import org.transformer4j.model.ModelDirectory;
import org.transformer4j.model.Seq2SeqConfig;

/** The seq2seq path of the tool end to end at a tiny size: train, resume, translate, evaluate, attention. */
class Seq2SeqCliTest {

    private static String run(String... args) {
        PrintStream old = System.out;
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buffer, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = Transformer4jCli.execute(args);
        } finally {
            System.setOut(old);
        }
        String out = buffer.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, "exit code of " + String.join(" ", args) + "; output:\n" + out);
        return out;
    }

    @Test
    void trainResumeTranslateEvaluateAndDrawAttention(@TempDir Path dir) throws Exception {
        var splits = DateTranslationTask.splits(1, 300, 40, 20);
        Path data = dir.resolve("data");
        DatePairsTsv.write(data.resolve("train.tsv"), splits.train());
        DatePairsTsv.write(data.resolve("valid.tsv"), splits.validation());
        DatePairsTsv.write(data.resolve("test.tsv"), splits.test());
        Path model = dir.resolve("model");
        String[] common = {"train", "--task", "seq2seq", "--data", data.toString(), "--out", model.toString(), "--layers", "1",
                "--embd", "16", "--heads", "2", "--batch-size", "8", "--eval-interval", "2", "--eval-batches", "1",
                "--checkpoint-interval", "2", "--threads", "1", "--quiet", "--eval-pairs", "10", "--sample", "2"};
        String first = run(concat(common, "--steps", "2"));
        assertTrue(first.contains("seq2seq 1+1 layers x 2 heads x 16 wide"), first);
        assertTrue(first.contains("post-LN, sinusoidal, relu"), "the dates preset's architecture: " + first);
        assertTrue(first.contains("300 train / 40 val pairs"), first);
        assertTrue(first.contains("validation exact match"), first);
        ModelDirectory saved = ModelDirectory.load(model);
        Seq2SeqConfig config = (Seq2SeqConfig) saved.config();
        int longest = 11; // "YYYY-MM-DD" + <eos>
        for (var p : splits.train()) {
            longest = Math.max(longest, p.source().codePointCount(0, p.source().length()));
        }
        for (var p : splits.validation()) {
            longest = Math.max(longest, p.source().codePointCount(0, p.source().length()));
        }
        assertEquals(Math.max(48, longest), config.contextLength(), "context: the preset's 48, or the longest sequence of the data");
        assertEquals(3, saved.tokenizer().specialTokens().size());
        assertTrue(Files.exists(model.resolve("loss.png")) && Files.exists(model.resolve("metrics.csv")));

        String resumed = run(concat(common, "--steps", "4", "--resume"));
        assertTrue(resumed.contains("resumed at step 2") && resumed.contains("done: 4 steps"), resumed);

        String eval = run("translate", "--model", model.toString(), "--eval", data.resolve("test.tsv").toString(), "--threads", "1");
        assertTrue(eval.contains("exact match") && eval.contains("/ 20 ="), eval);

        String beam = run("translate", "--model", model.toString(), "--eval", data.resolve("test.tsv").toString(), "--beam", "3",
                "--threads", "1");
        assertTrue(beam.contains("/ 20 =") && beam.contains("beam 3"), beam);

        Path lines = dir.resolve("in.txt");
        Files.writeString(lines, "22 November 2026\n\n1.2.2003\n");
        String translated = run("translate", "--model", model.toString(), "--input", lines.toString(), "--threads", "1");
        assertEquals(3, translated.split("\n", -1).length - 1, "one output line per input line: " + translated);

        java.io.PrintStream oldErr = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        int code;
        try {
            String[] tooShort = concat(common, "--steps", "1", "--block-size", "8");
            tooShort[java.util.Arrays.asList(tooShort).indexOf("--out") + 1] = dir.resolve("m2").toString();
            code = Transformer4jCli.execute(tooShort);
        } finally {
            System.setErr(oldErr);
        }
        assertEquals(1, code);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("context length is 8"), err.toString(StandardCharsets.UTF_8));

        Path png = dir.resolve("attn.png");
        String attn = run("attention", "--model", model.toString(), "--input", "22 November 2026", "--kind", "cross",
                "--layer", "0", "--head", "1", "--out", png.toString(), "--threads", "1");
        assertTrue(attn.contains("cross-attention, layer 0, head 1"), attn);
        assertTrue(Files.size(png) > 0);
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
