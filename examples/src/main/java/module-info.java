/**
 * The {@code transformer4j} command-line tool and the example programs: an application, so it exports nothing. The
 * CLI's package is open to picocli, which reads its annotated commands and options reflectively. The backends are
 * not required: they are found as {@link org.transformer4j.backend.Backend} services on the module path (or the
 * class path, where the application directory runs). {@code train --spark} uses Spark, which has no module names:
 * the build compiles this module with {@code --add-reads org.transformer4j.examples=ALL-UNNAMED}, and Spark runs it
 * on the class path ({@code spark-submit}).
 */
module org.transformer4j.examples {
    requires org.transformer4j.api;
    requires org.transformer4j.conformance; // the conformance command
    requires org.transformer4j.serve;
    requires org.transformer4j.spark;
    requires com.fasterxml.jackson.databind;
    requires info.picocli;
    requires java.desktop;    // the attention-map and loss plots (java.awt, javax.imageio)
    requires java.management; // bench: per-thread CPU time

    opens org.transformer4j.cli to info.picocli;
}
