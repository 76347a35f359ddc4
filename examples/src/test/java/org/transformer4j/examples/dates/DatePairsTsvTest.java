package org.transformer4j.examples.dates;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatePairsTsvTest {

    @TempDir
    Path dir;

    @Test
    void pairsSurviveARoundTripAsUtf8Lines() throws IOException {
        List<Pair> pairs = List.of(new Pair("22 November 2026", "2026-11-22"), new Pair("Größe, 1 Mai", "x"));
        Path file = dir.resolve("sub/pairs.tsv");
        DatePairsTsv.write(file, pairs);
        assertEquals(pairs, DatePairsTsv.read(file));
        assertEquals("22 November 2026\t2026-11-22\nGröße, 1 Mai\tx\n",
                Files.readString(file, StandardCharsets.UTF_8));
        try (var listing = Files.list(file.getParent())) {
            assertEquals(1, listing.count(), "no temporary file may be left behind");
        }
        List<Pair> generated = DateTranslationTask.generate(1, 300);
        DatePairsTsv.write(file, generated);
        assertEquals(generated, DatePairsTsv.read(file));
    }

    @Test
    void malformedLinesAreReportedWithTheirLineNumber() throws IOException {
        assertMalformed("a\t2000-01-01\nno tab here\n", ":2:", "no tab");
        assertMalformed("a\tb\tc\n", ":1:", "more than one tab");
        assertMalformed("ok\t1\nok\t2\n\tmissing source\n", ":3:", "source is empty");
        assertMalformed("x\t\n", ":1:", "target is empty");
        assertMalformed("x\ty\n\n", ":2:", "no tab");
    }

    private void assertMalformed(String text, String lineTag, String what) throws IOException {
        Path file = dir.resolve("bad.tsv");
        Files.writeString(file, text, StandardCharsets.UTF_8);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DatePairsTsv.read(file));
        assertTrue(e.getMessage().contains(file + lineTag), e.getMessage());
        assertTrue(e.getMessage().contains(what), e.getMessage());
    }

    @Test
    void generateDatesWritesThreeFilesAndExplainsWrongArguments() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
        assertEquals(0, GenerateDates.run(new String[] {dir.toString(), "200", "30", "20", "5"}, o, e));
        assertEquals(DateTranslationTask.splits(5, 200, 30, 20).train(), DatePairsTsv.read(dir.resolve("train.tsv")));
        assertEquals(30, DatePairsTsv.read(dir.resolve("valid.tsv")).size());
        assertEquals(20, DatePairsTsv.read(dir.resolve("test.tsv")).size());

        assertEquals(2, GenerateDates.run(new String[0], o, e));
        assertEquals(2, GenerateDates.run(new String[] {dir.toString(), "many"}, o, e));
        String errors = err.toString(StandardCharsets.UTF_8);
        assertTrue(errors.contains("usage: GenerateDates"), errors);
        assertTrue(errors.contains("train-count 'many' is not a whole number"), errors);
    }
}
