package org.transformer4j.structure;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Each module's compiled descriptor ({@code module-info.class}, read from the directory or jar the test class path
 * has for it) exports exactly the packages that docs/architecture.md lists for it ("Exported packages"), and each
 * backend module provides the {@code Backend} service with the same class as its {@code META-INF/services} file, so
 * that module-path and class-path users find the same backends.
 */
class ModuleExportsTest {
    private static final String BACKEND_SERVICE = "org.transformer4j.backend.Backend";
    /** A row of the table: | `artifact` | `module` | `pkg`, `pkg` (or none) |. */
    private static final Pattern ROW = Pattern.compile("^\\|\\s*`([\\w-]+)`\\s*\\|\\s*`(org\\.transformer4j[\\w.]*)`\\s*\\|([^|]*)\\|");
    private static final Pattern NAME = Pattern.compile("`([\\w.]+)`");

    /** One module on the test class path: its descriptor and where it was read from. */
    private record Found(ModuleDescriptor descriptor, Path location) {
    }

    @Test
    void everyModuleExportsExactlyTheDocumentedPackages() throws IOException {
        Map<String, Set<String>> documented = documented();
        Map<String, Found> found = transformer4jModules();
        assertThat(documented).as("modules listed in docs/architecture.md, 'Exported packages'").isNotEmpty();
        assertThat(found.keySet()).as("transformer4j modules with a module-info.class on the test class path; "
                + "a module missing from the documented list needs a row there").isEqualTo(documented.keySet());
        for (Found f : found.values()) {
            ModuleDescriptor d = f.descriptor;
            Set<String> exports = d.exports().stream()
                    .map(e -> e.source() + (e.isQualified() ? " to " + String.join(",", new TreeSet<>(e.targets())) : ""))
                    .collect(Collectors.toCollection(TreeSet::new));
            assertThat(exports).as("exports of %s (%s)", d.name(), f.location).isEqualTo(documented.get(d.name()));
            assertThat(d.packages()).as("%s: exported packages exist", d.name()).containsAll(
                    d.exports().stream().map(ModuleDescriptor.Exports::source).toList());
        }
    }

    @Test
    void backendModulesProvideTheServiceTheirServicesFileNames() throws IOException {
        Map<String, Found> found = transformer4jModules();
        int backends = 0;
        for (Found f : found.values()) {
            List<String> provided = f.descriptor.provides().stream()
                    .filter(p -> p.service().equals(BACKEND_SERVICE))
                    .flatMap(p -> p.providers().stream()).sorted().toList();
            List<String> listed = servicesFile(f.location);
            assertThat(provided).as("%s: provides %s in module-info and META-INF/services", f.descriptor.name(),
                    BACKEND_SERVICE).isEqualTo(listed);
            backends += provided.isEmpty() ? 0 : 1;
        }
        assertThat(backends).as("backend modules found").isGreaterThanOrEqualTo(3);
        assertThat(found.get("org.transformer4j.api").descriptor.uses()).contains(BACKEND_SERVICE);
    }

    /** The table "Exported packages" of docs/architecture.md: module name to its exports. */
    private static Map<String, Set<String>> documented() throws IOException {
        Path doc = Path.of("").toAbsolutePath().getParent().resolve("docs/architecture.md"); // tests run in examples/
        Map<String, Set<String>> out = new TreeMap<>();
        boolean inSection = false;
        for (String line : Files.readAllLines(doc)) {
            if (line.startsWith("## ")) {
                inSection = line.equals("## Exported packages");
                continue;
            }
            Matcher row = ROW.matcher(line);
            if (inSection && row.find()) {
                Set<String> packages = new TreeSet<>();
                for (String cell : row.group(3).split(",")) {
                    Matcher n = NAME.matcher(cell);
                    if (n.find()) {
                        // "`pkg` to `mod`, ..." would be a qualified export; none is documented today
                        String rest = cell.substring(n.end()).trim();
                        packages.add(n.group(1) + (rest.startsWith("to ") ? " " + rest.replace("`", "") : ""));
                    }
                }
                out.put(row.group(2), packages);
            }
        }
        return out;
    }

    /** The descriptors of the org.transformer4j modules on the test class path, by name. */
    private static Map<String, Found> transformer4jModules() throws IOException {
        Map<String, Found> out = new TreeMap<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path p = Path.of(entry);
            ModuleDescriptor d = descriptor(p);
            if (d != null && d.name().startsWith("org.transformer4j")) {
                Found previous = out.put(d.name(), new Found(d, p));
                assertThat(previous).as("module %s twice on the class path: %s and %s", d.name(),
                        previous == null ? null : previous.location, p).isNull();
            }
        }
        return out;
    }

    private static ModuleDescriptor descriptor(Path p) throws IOException {
        if (Files.isDirectory(p)) {
            Path info = p.resolve("module-info.class");
            if (!Files.isRegularFile(info)) {
                return null;
            }
            try (InputStream in = Files.newInputStream(info)) {
                return ModuleDescriptor.read(in);
            }
        }
        if (!Files.isRegularFile(p) || !p.toString().endsWith(".jar")) {
            return null;
        }
        try (JarFile jar = new JarFile(p.toFile())) {
            var e = jar.getEntry("module-info.class");
            if (e == null) {
                return null;
            }
            try (InputStream in = jar.getInputStream(e)) {
                return ModuleDescriptor.read(in);
            }
        }
    }

    /** The provider classes listed in a location's META-INF/services file for the Backend service, sorted. */
    private static List<String> servicesFile(Path location) throws IOException {
        String name = "META-INF/services/" + BACKEND_SERVICE;
        String text;
        if (Files.isDirectory(location)) {
            Path f = location.resolve(name);
            text = Files.isRegularFile(f) ? Files.readString(f) : "";
        } else {
            try (JarFile jar = new JarFile(location.toFile())) {
                var e = jar.getEntry(name);
                if (e == null) {
                    text = "";
                } else {
                    try (InputStream in = jar.getInputStream(e)) {
                        text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                    }
                }
            }
        }
        List<String> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            String s = line.replaceAll("#.*", "").trim();
            if (!s.isEmpty()) {
                out.add(s);
            }
        }
        return out.stream().sorted().toList();
    }
}
