package org.transformer4j.structure;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The SPI promise, checked on the sources: no main class outside a backend module names that backend's package
 * (the API and the CLI reach backends only through {@link org.transformer4j.backend.Backends} and the capability
 * interfaces), so any backend can be left off the classpath.
 */
class BackendImportsTest {
    /** Each backend package and the module that alone may use it. */
    private static final Map<String, String> OWNERS = Map.of("org.transformer4j.cpu", "backend-cpu",
            "org.transformer4j.onnx", "backend-onnx", "org.transformer4j.tensorflow", "backend-tensorflow");
    private static final Pattern REFERENCE = Pattern.compile("\\borg\\.transformer4j\\.(cpu|onnx|tensorflow)\\b");

    @Test
    void noMainClassOutsideABackendNamesIt() throws IOException {
        Path root = Path.of("").toAbsolutePath().getParent(); // the tests run in examples/
        assertTrue(Files.isRegularFile(root.resolve("pom.xml")) && Files.isDirectory(root.resolve("transformer-api")),
                "expected the project root above " + Path.of("").toAbsolutePath());
        List<String> offences = new ArrayList<>();
        int scanned = 0;
        try (Stream<Path> modules = Files.list(root)) {
            for (Path module : modules.filter(m -> Files.isDirectory(m.resolve("src/main/java"))).toList()) {
                try (Stream<Path> files = Files.walk(module.resolve("src/main/java"))) {
                    for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                        scanned++;
                        List<String> lines = Files.readAllLines(f);
                        for (int i = 0; i < lines.size(); i++) {
                            Matcher m = REFERENCE.matcher(lines.get(i));
                            while (m.find()) {
                                String owner = OWNERS.get("org.transformer4j." + m.group(1));
                                if (!module.getFileName().toString().equals(owner)) {
                                    offences.add(root.relativize(f) + ":" + (i + 1) + " names org.transformer4j."
                                            + m.group(1) + " (only " + owner + " may)");
                                }
                            }
                        }
                    }
                }
            }
        }
        assertTrue(scanned > 100, "scanned only " + scanned + " files under " + root);
        assertTrue(offences.isEmpty(), "reach backends through the SPI (Backends, capability interfaces) instead:\n"
                + String.join("\n", offences));
    }
}
