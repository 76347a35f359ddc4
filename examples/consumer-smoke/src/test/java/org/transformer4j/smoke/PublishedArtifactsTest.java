package org.transformer4j.smoke;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import java.util.zip.ZipFile;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * What {@code mvn deploy} of the main build put in a {@code file://} repository ({@code target/staging-repo},
 * written by .ci/run) meets the usual Maven Central requirements: every library artifact has its jar, sources
 * jar, javadoc jar and a POM with name, description, url, licence, developers and scm (its own or its parent's);
 * and the BOM lists exactly the library artifacts that were published.
 */
class PublishedArtifactsTest {

    private static final String GROUP = "org/transformer4j";
    private static final Set<String> POM_ONLY = Set.of("transformer4j-parent", "transformer4j-bom");

    private static Path group;
    private static String version;

    @BeforeAll
    static void stagingRepository() {
        Path repo = Path.of(System.getProperty("staging.repo", "../../target/staging-repo"));
        boolean required = Boolean.getBoolean("staging.required");
        group = repo.resolve(GROUP);
        version = System.getProperty("transformer4j.version", "0.1.0-SNAPSHOT");
        if (!required) {
            assumeTrue(Files.isDirectory(group), "no staging repository at " + repo.toAbsolutePath()
                    + " (build it with: ./mvnw -B -ntp deploy -DaltDeploymentRepository=staging::file://$PWD/target/staging-repo)");
        }
        assertThat(group).as("the staging repository written by .ci/run's deploy").isDirectory();
    }

    private static List<String> published() throws IOException {
        try (Stream<Path> s = Files.list(group)) {
            return s.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** The newest file of the artifact's version folder whose name ends with {@code suffix} (snapshots are time-stamped). */
    private static Optional<Path> file(String artifactId, String suffix) throws IOException {
        Path dir = group.resolve(artifactId).resolve(version);
        if (!Files.isDirectory(dir)) {
            return Optional.empty();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> {
                String n = p.getFileName().toString();
                return n.startsWith(artifactId + "-") && n.endsWith(suffix)
                        && (suffix.equals(".jar") ? !n.endsWith("-sources.jar") && !n.endsWith("-javadoc.jar")
                                && !n.endsWith("-tests.jar") : true);
            }).max(Path::compareTo);
        }
    }

    private static Element pom(String artifactId) throws Exception {
        Path pom = file(artifactId, ".pom").orElseThrow(() -> new AssertionError("no POM for " + artifactId));
        Document d = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(pom.toFile());
        return d.getDocumentElement();
    }

    private static Optional<Element> child(Element e, String name) {
        for (Node n = e.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element c && c.getTagName().equals(name)) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }

    private static boolean hasText(Element pom, String path) {
        Element e = pom;
        for (String part : path.split("/")) {
            Optional<Element> c = child(e, part);
            if (c.isEmpty()) {
                return false;
            }
            e = c.get();
        }
        return !e.getTextContent().isBlank();
    }

    @Test
    void everyLibraryHasJarSourcesJavadocAndACompletePom() throws Exception {
        List<String> libraries = published().stream().filter(a -> !POM_ONLY.contains(a)).toList();
        assertThat(libraries).contains("transformer-api", "backend-cpu", "backend-tensorflow", "backend-onnx")
                .doesNotContain("examples");
        Element parent = pom("transformer4j-parent");
        List<String> problems = new ArrayList<>();
        for (String a : libraries) {
            for (String suffix : List.of(".jar", "-sources.jar", "-javadoc.jar")) {
                Optional<Path> f = file(a, suffix);
                if (f.isEmpty()) {
                    problems.add(a + ": no " + suffix);
                    continue;
                }
                try (ZipFile z = new ZipFile(f.get().toFile())) {
                    String expected = switch (suffix) {
                        case ".jar" -> "META-INF/LICENSE";
                        case "-javadoc.jar" -> "index.html";
                        default -> null;
                    };
                    if (expected != null && z.getEntry(expected) == null) {
                        problems.add(a + suffix + ": no " + expected);
                    }
                    if (suffix.equals("-sources.jar") && z.stream().noneMatch(e -> e.getName().endsWith(".java"))) {
                        problems.add(a + suffix + ": no .java file");
                    }
                }
            }
            Element pom = pom(a);
            for (String own : List.of("name", "description")) {
                if (!hasText(pom, own)) {
                    problems.add(a + ": POM has no " + own);
                }
            }
            for (String inherited : List.of("url", "licenses/license/name", "licenses/license/url",
                    "developers/developer/name", "scm/url", "scm/connection")) {
                if (!hasText(pom, inherited) && !hasText(parent, inherited)) {
                    problems.add(a + ": POM (and its parent) have no " + inherited);
                }
            }
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void theParentAndTheBomArePublishedWithCompleteMetadata() throws Exception {
        for (String a : POM_ONLY) {
            Element pom = pom(a);
            for (String path : List.of("name", "description", "url", "licenses/license/name", "developers/developer/name",
                    "scm/url")) {
                assertThat(hasText(pom, path)).as("%s POM has %s", a, path).isTrue();
            }
        }
    }

    @Test
    void theBomListsEveryPublishedLibraryAndNothingElse() throws Exception {
        Element deps = child(child(pom("transformer4j-bom"), "dependencyManagement").orElseThrow(), "dependencies")
                .orElseThrow();
        Set<String> listed = new TreeSet<>();
        for (Node n = deps.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element d) {
                listed.add(child(d, "artifactId").orElseThrow().getTextContent().trim());
            }
        }
        Set<String> libraries = new TreeSet<>(published());
        libraries.removeAll(POM_ONLY);
        assertThat(listed).as("transformer4j-bom's dependencyManagement: add every new library module to it")
                .isEqualTo(libraries);
    }
}
