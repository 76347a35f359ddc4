package org.transformer4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.transformer4j.backend.BackendRegistry;
import org.transformer4j.cpu.CpuBackend;
import org.transformer4j.onnx.OnnxBackend;
import picocli.CommandLine;

/**
 * {@code conformance} with the real onnx backend: its column holds real results (the whole-model, generation and
 * bad-input cases compared with the cpu backend through exported graphs), and the cases it cannot run are listed as
 * not supported with the reason.
 */
class ConformanceOnnxColumnTest {

    @Test
    void theOnnxColumnComparesTheExportedGraphsWithCpu(@TempDir Path tmp) throws Exception {
        Path json = tmp.resolve("report.json");
        BackendRegistry registry = new BackendRegistry(List.of(new CpuBackend(), new OnnxBackend()), k -> null,
                k -> null, null);
        StringWriter text = new StringWriter();
        int code = new CommandLine(new ConformanceCommand(registry)).setOut(new PrintWriter(text))
                .execute("--backend", "onnx", "--threads", "1", "--json", json.toString());
        String out = text.toString();

        assertEquals(0, code, out);
        assertTrue(out.contains("onnx: verdict, max abs / rel error"), out);
        for (String served : List.of("gpt_logits ", "gpt_logits_left_padded ", "seq2seq_logits_sizes ",
                "gpt_kv_cache ", "seq2seq_kv_cache ", "checkpoint_from_reference ", "llama_logits ",
                "llama_logits_qwen2 ", "llama_logits_left_padded ", "llama_kv_cache ")) {
            assertTrue(out.lines().anyMatch(l -> l.startsWith(served) && l.matches(".*PASS \\d\\.\\d\\de-\\d\\d / .*")),
                    served + "has no compared numbers:\n" + out);
        }
        assertTrue(out.lines().anyMatch(l -> l.startsWith("gpt_greedy ") && l.contains("PASS 0.00e+00")), out);
        assertTrue(out.lines().anyMatch(l -> l.startsWith("bad_gpt_sequence_past_context ")
                && l.contains("PASS (refused as required)")), out);
        assertTrue(out.lines().anyMatch(l -> l.startsWith("gpt_gradients ") && l.contains("not supported")), out);
        assertTrue(out.contains("the onnx engine does not train"), out);

        JsonNode report = new ObjectMapper().readTree(Files.readString(json)).get("reports").get(0);
        assertEquals("onnx", report.get("candidate").asText());
        assertEquals(0, report.get("counts").get("FAIL").asInt(), report.toPrettyString());
        assertEquals(28, report.get("counts").get("PASS").asInt(), report.toPrettyString());
    }
}
