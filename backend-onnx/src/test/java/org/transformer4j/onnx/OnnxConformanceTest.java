package org.transformer4j.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.transformer4j.backend.Engine;
import org.transformer4j.backend.EngineOptions;
import org.transformer4j.conformance.CaseStatus;
import org.transformer4j.conformance.ConformanceCase;
import org.transformer4j.conformance.ConformanceKit;
import org.transformer4j.conformance.ConformanceReport;
import org.transformer4j.cpu.CpuBackend;

/**
 * The onnx backend against the cpu backend through the whole {@link ConformanceKit#complete()}, one dynamic test
 * per case. The onnx engine serves and exports graphs ({@link org.transformer4j.backend.ServingEngine},
 * {@link org.transformer4j.backend.ExportingEngine}), so the
 * whole-model cases (logits of both architectures and of the Llama family (Llama, Qwen2) at several sizes, left padding, key/value caches, greedy and beam
 * decoding, a checkpoint trained on cpu, bad inputs) must PASS, each numeric one having compared numbers; every
 * other case (op-level cases, which need the Ops composition; the loss; training) must say NOT_SUPPORTED with a
 * reason, never pass silently.
 */
class OnnxConformanceTest {
    /** The cases the onnx backend serves; a change in this list is a change in what it supports. */
    private static final Set<String> SERVED = Set.of("gpt_logits", "gpt_logits_post_ln", "gpt_logits_left_padded",
            "gpt_logits_sizes", "seq2seq_logits", "seq2seq_logits_pre_ln", "seq2seq_logits_sizes", "gpt_kv_cache",
            "gpt_kv_cache_post_ln", "seq2seq_kv_cache", "gpt_greedy", "gpt_beam", "seq2seq_greedy", "seq2seq_beam",
            "checkpoint_from_reference", "bad_gpt_token_past_vocab", "bad_gpt_sequence_past_context",
            "bad_gpt_empty_input", "bad_gpt_empty_prompt", "bad_seq2seq_source_negative_id",
            "bad_seq2seq_source_past_context", "gpt_runtime_rows", "gpt_runtime_rows_post_ln", "seq2seq_runtime_rows",
            "llama_logits", "llama_logits_qwen2", "llama_logits_left_padded", "llama_kv_cache");

    @TestFactory
    Stream<DynamicTest> completeKitAgainstCpu() {
        ConformanceKit kit = ConformanceKit.complete();
        ConformanceReport report;
        try (Engine cpu = new CpuBackend().open(EngineOptions.defaults().withThreads(1));
             Engine onnx = new OnnxBackend().open(EngineOptions.defaults().withThreads(1))) {
            report = kit.run(cpu, onnx);
        }
        System.out.println(report.toTable());
        assertThat(report.rows()).hasSameSizeAs(kit.cases());
        assertThat(kit.cases()).extracting(ConformanceCase::name).as("the served cases are in the kit")
                .containsAll(SERVED);
        return report.rows().stream().map(r -> DynamicTest.dynamicTest(r.name(), () -> {
            if (SERVED.contains(r.name())) {
                assertThat(r.status()).as("%s: %s", r.name(), r.detail()).isEqualTo(CaseStatus.PASS);
                if (!r.name().startsWith("bad_")) {
                    assertThat(r.maxAbsError()).as("%s compared no numbers", r.name()).isNotNull();
                }
            } else {
                assertThat(r.status()).as("%s: %s", r.name(), r.detail()).isEqualTo(CaseStatus.NOT_SUPPORTED);
                assertThat(r.detail()).as("%s gives a reason", r.name()).containsAnyOf("export", "train", "loss");
            }
        }));
    }
}
