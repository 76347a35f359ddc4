package org.transformer4j.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Library code logs through {@link System.Logger} and never prints: no {@code System.out}, {@code System.err} or
 * {@code printStackTrace} in the main sources of any library module of the build (every module folder beside this
 * one with {@code src/main/java}, except the command-line tool in {@code examples}, which talks to a terminal).
 */
class LibraryCodeDoesNotPrintTest {

    private static final Pattern PRINTS = Pattern.compile("System\\s*\\.\\s*(out|err)\\b|\\.printStackTrace\\s*\\(");
    private static final Set<String> APPLICATIONS = Set.of("examples");

    @Test
    void noLibraryModulePrints() throws IOException {
        Path root = Path.of("").toAbsolutePath().getParent();
        List<Path> modules;
        try (Stream<Path> s = Files.list(root)) {
            modules = s.filter(m -> Files.isDirectory(m.resolve("src/main/java")))
                    .filter(m -> !APPLICATIONS.contains(m.getFileName().toString())).sorted().toList();
        }
        assertThat(modules).extracting(m -> m.getFileName().toString()).contains("transformer-api", "backend-cpu");
        List<String> found = new ArrayList<>();
        for (Path m : modules) {
            try (Stream<Path> files = Files.walk(m.resolve("src/main/java"))) {
                for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                    List<String> lines = Files.readAllLines(f);
                    for (int i = 0; i < lines.size(); i++) {
                        String code = lines.get(i).strip();
                        if (code.startsWith("*") || code.startsWith("//") || code.startsWith("/*")) {
                            continue; // Javadoc and comments may show how a caller prints
                        }
                        if (PRINTS.matcher(code).find()) {
                            found.add(root.relativize(f) + ":" + (i + 1) + ": " + code);
                        }
                    }
                }
            }
        }
        assertThat(found).as("library code must log through System.Logger (System.getLogger(...)) instead of printing")
                .isEmpty();
    }
}
