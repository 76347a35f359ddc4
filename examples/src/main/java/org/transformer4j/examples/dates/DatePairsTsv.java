package org.transformer4j.examples.dates;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads and writes pairs as UTF-8 text, one pair per line: {@code source<TAB>target}, lines ending in
 * {@code \n}. No header, no quoting: {@link Pair} guarantees neither text holds a tab or a line break.
 */
public final class DatePairsTsv {

    private DatePairsTsv() {
    }

    /**
     * Writes {@code pairs} to {@code file}, replacing it. The text goes to a temporary file in the same
     * directory first and is then moved over {@code file}, so a reader never sees half a file. Missing parent
     * directories are created.
     *
     * @throws UncheckedIOException naming the file if it cannot be written
     */
    public static void write(Path file, List<Pair> pairs) {
        Path target = file.toAbsolutePath();
        Path dir = target.getParent();
        Path tmp = null;
        try {
            Files.createDirectories(dir);
            tmp = Files.createTempFile(dir, target.getFileName().toString(), ".tmp");
            try (BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                for (Pair p : pairs) {
                    w.write(p.source());
                    w.write('\t');
                    w.write(p.target());
                    w.write('\n');
                }
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            tmp = null;
        } catch (IOException e) {
            throw new UncheckedIOException("could not write " + pairs.size() + " pairs to " + target + ": " + e, e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // the write already failed and reports why; a left-over temporary file is secondary
                }
            }
        }
    }

    /**
     * Reads the pairs of {@code file}.
     *
     * @throws IllegalArgumentException naming the file and the 1-based line number if a line is not
     *                                  exactly {@code source<TAB>target} with both texts non-empty
     * @throws UncheckedIOException     naming the file if it cannot be read or is not valid UTF-8
     */
    public static List<Pair> read(Path file) {
        List<Pair> pairs = new ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int number = 0;
            while ((line = r.readLine()) != null) {
                number++;
                pairs.add(parse(file, number, line));
            }
        } catch (CharacterCodingException e) {
            throw new UncheckedIOException(file + " is not valid UTF-8 text (after " + pairs.size()
                    + " good lines): " + e, e);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read pairs from " + file + ": " + e, e);
        }
        return pairs;
    }

    private static Pair parse(Path file, int number, String line) {
        int tab = line.indexOf('\t');
        String where = file + ":" + number + ": ";
        if (tab < 0) {
            throw new IllegalArgumentException(where + "expected 'source<TAB>target' but the line has no tab: '"
                    + abbreviate(line) + "'");
        }
        if (line.indexOf('\t', tab + 1) >= 0) {
            throw new IllegalArgumentException(where + "expected 'source<TAB>target' but the line has more than "
                    + "one tab: '" + abbreviate(line.replace("\t", "\\t")) + "'");
        }
        if (tab == 0 || tab == line.length() - 1) {
            throw new IllegalArgumentException(where + "the " + (tab == 0 ? "source" : "target")
                    + " is empty: '" + abbreviate(line.replace("\t", "\\t")) + "'");
        }
        return new Pair(line.substring(0, tab), line.substring(tab + 1));
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }
}
