package org.transformer4j.spark;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * A stand-in SPARK_HOME for Spark's {@code local-cluster[N,cores,MB]} mode, built from this JVM's classpath.
 *
 * <p>In local-cluster mode the driver starts a standalone Master and N Workers in its own JVM, and each Worker launches
 * its executor as a separate {@code java} process ({@code ExecutorRunner} through {@code CommandUtils} and the
 * launcher's {@code WorkerCommandBuilder}). That command's classpath is {@code spark.executor.extraClassPath}, then
 * {@code SPARK_HOME/conf}, then {@code SPARK_HOME/jars/*}; the launcher also needs the Scala version (the
 * {@code SPARK_SCALA_VERSION} variable or a {@code launcher/target/scala-2.13} directory). Under test
 * ({@code spark.testing} set) the Worker takes SPARK_HOME from the {@code spark.test.home} property. So: every jar of
 * the test classpath (Spark's, Scala's, ours) is linked into {@code jars/}, and the directories (test and main
 * classes) go to {@link #extraClassPath()}.
 */
final class LocalSparkHome {
    private final Path home;
    private final String extraClassPath;

    private LocalSparkHome(Path home, String extraClassPath) {
        this.home = home;
        this.extraClassPath = extraClassPath;
    }

    /** Builds the directory under {@code dir} from {@code java.class.path} (a surefire manifest jar is expanded). */
    static LocalSparkHome build(Path dir) throws IOException {
        Path home = dir.resolve("spark-home");
        Path jars = Files.createDirectories(home.resolve("jars"));
        Files.createDirectories(home.resolve("conf"));
        Files.createDirectories(home.resolve("launcher/target/scala-2.13"));
        Files.writeString(home.resolve("RELEASE"), "transformer4j test SPARK_HOME, built from the test classpath\n");
        List<String> dirs = new ArrayList<>();
        int n = 0;
        for (Path entry : classpath()) {
            if (Files.isDirectory(entry)) {
                dirs.add(entry.toString());
            } else if (entry.getFileName().toString().endsWith(".jar") && Files.isRegularFile(entry)) {
                // numbered: two artifacts may share a file name
                Files.createSymbolicLink(jars.resolve(String.format("%04d-%s", n++, entry.getFileName())), entry);
            }
        }
        if (n == 0) {
            throw new IllegalStateException("no jar on the classpath to put into " + jars + "; java.class.path is "
                    + System.getProperty("java.class.path"));
        }
        return new LocalSparkHome(home, String.join(File.pathSeparator, dirs));
    }

    /** The test classpath, with a manifest-only jar (surefire's booter) replaced by its {@code Class-Path}. */
    private static Set<Path> classpath() {
        Set<Path> out = new LinkedHashSet<>();
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (e.isEmpty()) {
                continue;
            }
            Path p = Path.of(e).toAbsolutePath();
            Manifest manifest = manifest(p);
            String cp = manifest == null ? null : manifest.getMainAttributes().getValue("Class-Path");
            if (cp != null && p.getFileName().toString().startsWith("surefirebooter")) {
                for (String u : cp.trim().split("\\s+")) {
                    out.add(Path.of(u.startsWith("file:") ? URI.create(u) : p.getParent().resolve(u).toUri()));
                }
            } else {
                out.add(p);
            }
        }
        return out;
    }

    private static Manifest manifest(Path p) {
        if (!Files.isRegularFile(p)) {
            return null;
        }
        try (JarFile jar = new JarFile(p.toFile())) {
            return jar.getManifest();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the classpath entry " + p + " as a jar: " + e.getMessage(), e);
        }
    }

    Path home() {
        return home;
    }

    /** The classpath directories, for {@code spark.executor.extraClassPath}. */
    String extraClassPath() {
        return extraClassPath;
    }
}
