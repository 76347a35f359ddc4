package org.transformer4j.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.transformer4j.backend.BackendInfo;
import org.transformer4j.backend.BackendRegistry;
import org.transformer4j.backend.BackendRequirement;
import org.transformer4j.backend.Backends;
import org.transformer4j.backend.Engine;
import org.transformer4j.backend.EngineOptions;
import org.transformer4j.conformance.CaseStatus;
import org.transformer4j.conformance.ConformanceKit;
import org.transformer4j.conformance.ConformanceReport;
import org.transformer4j.io.AtomicFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code conformance}: runs the complete conformance kit ({@link ConformanceKit#complete()}) with every available
 * backend on the classpath as candidate against the cpu backend as reference, prints one table (case x backend:
 * verdict, max abs and rel error, tolerance; "not supported" with the reason below the table), optionally writes
 * the reports as JSON, and exits with 1 when any case fails or a backend that should run could not be opened.
 * Unavailable backends are listed with the reason and skipped, unless named with {@code --backend}.
 */
@Command(name = "conformance", mixinStandardHelpOptions = true,
        description = "Check every available backend against the cpu backend with the conformance kit.")
final class ConformanceCommand implements Callable<Integer> {
    @Option(names = "--json", paramLabel = "FILE", description = "also write the reports as JSON to FILE")
    Path json;

    @Option(names = "--backend", paramLabel = "NAME", split = ",",
            description = "the candidates to check (default: every available backend but the reference)")
    List<String> candidates;

    @Option(names = "--reference", paramLabel = "NAME", defaultValue = "cpu",
            description = "the backend the others are compared with (default: ${DEFAULT-VALUE})")
    String reference;

    @Option(names = "--threads", defaultValue = "0", description = "threads per engine (0: one per core)")
    int threads;

    @Option(names = "--standard", description = "run only the op-level cases (ConformanceKit.standard())")
    boolean standardOnly;

    @Option(names = "--device", description = "device of the candidates, e.g. gpu:0 for TensorFlow on CUDA "
            + "(default: each backend's own); the reference runs on its default device")
    String device;

    @Spec
    CommandSpec spec;

    private final BackendRegistry registry;

    /** The command over the backends on the classpath. */
    ConformanceCommand() {
        this(null);
    }

    /** The command over {@code registry} (tests); null means {@link Backends#registry()} when it runs. */
    ConformanceCommand(BackendRegistry registry) {
        this.registry = registry;
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        BackendRegistry backends = registry != null ? registry : Backends.registry();
        EngineOptions options = EngineOptions.defaults().withThreads(threads);
        ConformanceKit kit = standardOnly ? ConformanceKit.standard() : ConformanceKit.complete();
        String refName = reference.toLowerCase(Locale.ROOT);

        List<ConformanceReport> reports = new ArrayList<>();
        Map<String, String> skipped = new LinkedHashMap<>();
        Map<String, String> errors = new LinkedHashMap<>();
        try (Engine ref = backends.open(refName, BackendRequirement.ANY, options)) {
            for (String name : candidateNames(backends.list(), refName, skipped, errors)) {
                EngineOptions candidateOptions = device == null ? options : options.withDevice(device);
                try (Engine candidate = backends.select(name).backend().open(candidateOptions)) {
                    reports.add(kit.run(ref, candidate));
                } catch (RuntimeException | LinkageError e) {
                    errors.put(name, "could not be opened: " + e.getMessage());
                }
            }
        }

        out.printf(Locale.ROOT, "conformance: %d cases (%s), reference '%s'%n%n", kit.cases().size(),
                standardOnly ? "ConformanceKit.standard()" : "ConformanceKit.complete()", refName);
        if (reports.isEmpty() && errors.isEmpty()) {
            out.println("no backend other than '" + refName + "' is available: nothing to compare.");
        } else if (!reports.isEmpty()) {
            out.print(ConformanceMatrix.table(kit, reports));
            out.print(ConformanceMatrix.notes(reports));
        }
        for (ConformanceReport r : reports) {
            out.println(r.summary());
        }
        errors.forEach((name, why) -> out.println("ERROR: backend '" + name + "' " + why));
        skipped.forEach((name, why) -> out.println("skipped: backend '" + name + "' is not available: " + why));
        if (json != null) {
            AtomicFiles.writeString(json, ConformanceMatrix.json(refName, kit, reports, skipped, errors));
            out.println("wrote " + json);
        }
        out.flush();
        boolean failed = !errors.isEmpty() || reports.stream().anyMatch(r -> r.count(CaseStatus.FAIL) > 0);
        return failed ? 1 : 0;
    }

    /** The candidates: those named with --backend (each must exist and be available), else every available one. */
    private List<String> candidateNames(List<BackendInfo> infos, String refName, Map<String, String> skipped,
            Map<String, String> errors) {
        List<String> names = new ArrayList<>();
        if (candidates != null && !candidates.isEmpty()) {
            for (String raw : candidates) {
                String name = raw.trim().toLowerCase(Locale.ROOT);
                Optional<BackendInfo> info = infos.stream().filter(i -> i.name().equals(name)).findFirst();
                if (info.isEmpty()) {
                    errors.put(name, "was not found; backends on the classpath: "
                            + infos.stream().map(BackendInfo::name).toList());
                } else if (!info.get().available()) {
                    errors.put(name, "is not available: " + info.get().availability().reason());
                } else {
                    names.add(name);
                }
            }
            return names;
        }
        for (BackendInfo i : infos) {
            if (i.name().equals(refName)) {
                continue;
            }
            if (i.available()) {
                names.add(i.name());
            } else {
                skipped.put(i.name(), i.availability().reason());
            }
        }
        return names;
    }
}
