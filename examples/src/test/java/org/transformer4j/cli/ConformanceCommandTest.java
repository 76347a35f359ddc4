package org.transformer4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.transformer4j.backend.Availability;
import org.transformer4j.backend.Backend;
import org.transformer4j.backend.BackendRegistry;
import org.transformer4j.backend.Capabilities;
import org.transformer4j.backend.Engine;
import org.transformer4j.backend.InferenceEngine;
import org.transformer4j.backend.EngineOptions;
import org.transformer4j.backend.LoadedWeights;
import org.transformer4j.conformance.ConformanceKit;
import org.transformer4j.cpu.CpuBackend;
import org.transformer4j.nn.Ops;
import org.transformer4j.tensor.HostTensor;
import picocli.CommandLine;

/**
 * {@code conformance} over a registry of the real cpu backend plus stand-ins: a serving-only copy of the cpu
 * backend, one whose loaded weights are off by 1%, one that is unavailable and one that cannot be opened.
 */
class ConformanceCommandTest {

    /** A backend named {@code name} whose engines are cpu engines seen through {@code wrap}. */
    private record StandIn(String name, Function<InferenceEngine, Engine> wrap, Availability availability) implements Backend {
        public int priority() {
            return 10;
        }

        public Capabilities capabilities() {
            return new Capabilities(false, true, List.of("cpu"));
        }

        public Engine open(EngineOptions options) {
            return wrap.apply(new CpuBackend().open(options));
        }
    }

    /** A cpu engine under another name that does not train; {@link #load} may alter the weights. */
    private static class ServingOnly implements InferenceEngine {
        final String name;
        final InferenceEngine cpu;

        ServingOnly(String name, InferenceEngine cpu) {
            this.name = name;
            this.cpu = cpu;
        }

        public String backendName() {
            return name;
        }

        public Ops inferenceOps() {
            return cpu.inferenceOps();
        }

        public LoadedWeights load(Map<String, HostTensor> weights) {
            return cpu.load(weights);
        }

        public void close() {
            cpu.close();
        }
    }

    private static final Backend SERVING = new StandIn("serving", cpu -> new ServingOnly("serving", cpu),
            Availability.yes());
    private static final Backend SKEWED = new StandIn("skewed", cpu -> new ServingOnly("skewed", cpu) {
        @Override
        public LoadedWeights load(Map<String, HostTensor> weights) {
            Map<String, HostTensor> off = new LinkedHashMap<>();
            weights.forEach((k, v) -> {
                float[] f = v.floats().clone();
                for (int i = 0; i < f.length; i++) {
                    f[i] *= 1.01f;
                }
                off.put(k, HostTensor.ofFloats(v.shape(), f));
            });
            return cpu.load(off);
        }
    }, Availability.yes());
    private static final Backend ABSENT = new StandIn("absent", cpu -> cpu, Availability.no("no native library here"));
    private static final Backend CRASHING = new StandIn("crashing", cpu -> {
        cpu.close();
        throw new IllegalStateException("device lost");
    }, Availability.yes());

    private record Run(int exitCode, String output) {
    }

    private static Run run(List<Backend> backends, String... args) {
        BackendRegistry registry = new BackendRegistry(backends, k -> null, k -> null, null);
        StringWriter text = new StringWriter();
        int code = new CommandLine(new ConformanceCommand(registry)).setOut(new PrintWriter(text)).execute(args);
        return new Run(code, text.toString());
    }

    @Test
    void aConformingServingOnlyBackendPassesAndUnavailableOnesAreListed(@TempDir Path tmp) throws Exception {
        Path json = tmp.resolve("report.json");
        Run r = run(List.of(new CpuBackend(), SERVING, ABSENT), "--threads", "1", "--json", json.toString());

        assertEquals(0, r.exitCode(), r.output());
        int cases = ConformanceKit.complete().cases().size();
        assertTrue(r.output().contains("conformance: " + cases + " cases (ConformanceKit.complete()), reference 'cpu'"),
                r.output());
        assertTrue(r.output().lines().anyMatch(l -> l.startsWith("gpt_logits ") && l.contains("PASS 0.00e+00 / 0.00e+00")),
                r.output());
        assertTrue(r.output().lines().anyMatch(l -> l.startsWith("gpt_adamw_step ") && l.contains("not supported")),
                r.output());
        assertTrue(r.output().contains("not supported by serving (6 cases: gpt_gradients, "), r.output());
        assertTrue(r.output().contains("the serving engine does not train"), r.output());
        assertTrue(r.output().contains("skipped: backend 'absent' is not available: no native library here"),
                r.output());

        JsonNode root = new ObjectMapper().readTree(Files.readString(json));
        assertTrue(root.get("passed").asBoolean());
        assertEquals("cpu", root.get("reference").asText());
        assertEquals(cases, root.get("cases").asInt());
        assertEquals(1, root.get("reports").size());
        JsonNode report = root.get("reports").get(0);
        assertEquals("serving", report.get("candidate").asText());
        assertEquals(cases, report.get("rows").size());
        assertEquals(6, report.get("counts").get("NOT_SUPPORTED").asInt());
        assertEquals("absent", root.get("skipped").get(0).get("backend").asText());
    }

    @Test
    void weightsOffByOnePercentFailTheModelCasesAndExitWithOne(@TempDir Path tmp) throws Exception {
        Path json = tmp.resolve("report.json");
        Run r = run(List.of(new CpuBackend(), SKEWED), "--backend", "skewed", "--threads", "1", "--json",
                json.toString());

        assertEquals(1, r.exitCode(), r.output());
        assertTrue(r.output().contains("FAIL skewed gpt_logits: FAIL: "), r.output());
        assertTrue(r.output().lines().anyMatch(l -> l.startsWith("linear ") && l.contains("PASS")), r.output());
        assertTrue(r.output().contains("-> FAILED"), r.output());
        JsonNode root = new ObjectMapper().readTree(Files.readString(json));
        assertFalse(root.get("passed").asBoolean());
        assertTrue(root.get("reports").get(0).get("counts").get("FAIL").asInt() >= 10, root.toString());
    }

    @Test
    void aNamedBackendThatIsUnavailableOrCannotOpenIsAnError() {
        Run r = run(List.of(new CpuBackend(), ABSENT, CRASHING), "--standard", "--backend", "absent,crashing,nope");

        assertEquals(1, r.exitCode(), r.output());
        assertTrue(r.output().contains("ERROR: backend 'absent' is not available: no native library here"), r.output());
        assertTrue(r.output().contains("ERROR: backend 'crashing' could not be opened: device lost"), r.output());
        assertTrue(r.output().contains("ERROR: backend 'nope' was not found; backends on the classpath: [cpu, absent, "
                + "crashing]"), r.output());
    }

    @Test
    void withNothingToCompareItSaysSoAndSucceeds() {
        Run r = run(List.of(new CpuBackend(), ABSENT), "--standard");

        assertEquals(0, r.exitCode(), r.output());
        assertTrue(r.output().contains("no backend other than 'cpu' is available: nothing to compare."), r.output());
    }

    @Test
    void theRealCommandRunsOverTheClasspathBackends(@TempDir Path tmp) throws Exception {
        Path json = tmp.resolve("conformance.json");
        int code = Transformer4jCli.execute("conformance", "--standard", "--threads", "1", "--json", json.toString());

        JsonNode root = new ObjectMapper().readTree(Files.readString(json));
        assertEquals(0, code, root.toPrettyString());
        assertEquals("cpu", root.get("reference").asText());
        for (JsonNode report : root.get("reports")) {
            assertEquals(0, report.get("counts").get("FAIL").asInt(), report.toPrettyString());
        }
    }
}
