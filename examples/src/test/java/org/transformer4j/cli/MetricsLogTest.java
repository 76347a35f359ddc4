package org.transformer4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.transformer4j.train.TrainingListener.EvalMetrics;
import org.transformer4j.train.TrainingListener.StepMetrics;

class MetricsLogTest {

    /** Strict JSON: NaN, Infinity and other non-standard tokens are rejected. */
    private static final ObjectMapper STRICT = JsonMapper.builder()
            .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .build();

    @TempDir
    Path dir;

    @Test
    void everyJsonLineParsesEvenWhenTheLossDiverges() throws Exception {
        Path file = dir.resolve("metrics.jsonl");
        try (MetricsLog log = new MetricsLog(file)) {
            log.onStep(new StepMetrics(1, 3, 4.1743f, 1e-3f, 0.75, 12_000.5, 41.25));
            log.onStep(new StepMetrics(2, 3, Float.NaN, 1e-3f, Double.POSITIVE_INFINITY, 11_000, 40));
            log.onStep(new StepMetrics(3, 3, Float.NEGATIVE_INFINITY, Float.NaN, Double.NaN, 0, 39));
            log.onEvaluation(new EvalMetrics(3, Float.POSITIVE_INFINITY, 2.5f));
        }
        List<String> lines = Files.readAllLines(file);
        assertThat(lines).hasSize(4);
        JsonNode[] records = new JsonNode[lines.size()];
        for (int i = 0; i < lines.size(); i++) {
            records[i] = STRICT.readTree(lines.get(i));
            assertThat(records[i].isObject()).as("line %d: %s", i + 1, lines.get(i)).isTrue();
        }

        JsonNode first = records[0];
        assertThat(first.get("kind").asText()).isEqualTo("step");
        assertThat(first.get("step").asLong()).isEqualTo(1);
        assertThat(first.get("loss").floatValue()).isEqualTo(4.1743f);
        assertThat(first.get("lr").floatValue()).isEqualTo(1e-3f);
        assertThat(first.get("grad_norm").asDouble()).isEqualTo(0.75);
        assertThat(first.get("tokens_per_s").asDouble()).isEqualTo(12_000.5);
        assertThat(first.get("ms").asDouble()).isEqualTo(41.25);

        assertThat(records[1].get("loss").isNull()).isTrue();
        assertThat(records[1].get("grad_norm").isNull()).isTrue();
        assertThat(records[1].get("lr").floatValue()).isEqualTo(1e-3f);
        assertThat(records[2].get("loss").isNull()).isTrue();
        assertThat(records[2].get("lr").isNull()).isTrue();
        assertThat(records[2].get("grad_norm").isNull()).isTrue();

        JsonNode eval = records[3];
        assertThat(eval.get("kind").asText()).isEqualTo("eval");
        assertThat(eval.get("loss").isNull()).isTrue();
        assertThat(eval.get("val_loss").floatValue()).isEqualTo(2.5f);
    }

    @Test
    void csvHasAHeaderOnceAndAppends() throws Exception {
        Path file = dir.resolve("metrics.csv");
        try (MetricsLog log = new MetricsLog(file)) {
            log.onStep(new StepMetrics(1, 2, 3.5f, 1e-3f, 1.0, 100, 10));
        }
        try (MetricsLog log = new MetricsLog(file)) {
            log.onEvaluation(new EvalMetrics(2, 3.25f, Float.NaN));
        }
        assertThat(Files.readAllLines(file)).containsExactly(
                "kind,step,loss,val_loss,lr,grad_norm,tokens_per_s,ms",
                "step,1,3.500000,,0.00100000,1.00000,100.0,10.000",
                "eval,2,3.250000,NaN,,,,");
    }
}
