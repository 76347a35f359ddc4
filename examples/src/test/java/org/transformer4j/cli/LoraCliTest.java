package org.transformer4j.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.transformer4j.io.Safetensors;
import org.transformer4j.model.GptConfig;
import org.transformer4j.model.LlamaConfig;
import org.transformer4j.model.ModelDirectory;
import org.transformer4j.nn.Activation;
import org.transformer4j.nn.Initializer;
import org.transformer4j.tensor.HostTensor;
import org.transformer4j.tensor.Shape;
import org.transformer4j.tokenizer.CharTokenizer;

/**
 * LoRA through the tool, end to end on tiny directories, on cpu and tensorflow: {@code train --init-from DIR
 * --lora-rank R} writes a PEFT adapter (adapter_config.json with GPT-2's fan_in_fan_out, adapter_model.safetensors
 * under PEFT's names) and leaves the base directory as it was; {@code generate --adapter} runs base + adapter and
 * gives the same greedy text as the directory {@code merge} writes; on a Llama-family directory the merged model
 * differs from the base exactly in the adapted layers, and full fine-tuning ({@code train --init-from} without LoRA)
 * saves the same layout.
 */
class LoraCliTest {
    private static final String TEXT = "to be or not to be, that is the question.\n".repeat(40);

    private static String[] trainArgs(Path from, Path data, Path out, String backend, String... extra) {
        String[] base = {"train", "--init-from", from.toString(), "--data", data.toString(), "--out", out.toString(),
                "--steps", "4", "--block-size", "8", "--batch-size", "2", "--eval-interval", "4", "--eval-batches", "1",
                "--warmup", "1", "--lr", "1e-2", "--threads", "1", "--backend", backend, "--quiet"};
        String[] all = java.util.Arrays.copyOf(base, base.length + extra.length);
        System.arraycopy(extra, 0, all, base.length, extra.length);
        return all;
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "tensorflow"})
    void gpt2AdapterTrainsThenGeneratesAndMergesToTheSameText(String backend, @TempDir Path dir) throws Exception {
        Path data = dir.resolve("text.txt");
        Files.writeString(data, TEXT);
        CharTokenizer tok = CharTokenizer.fromText(TEXT);
        GptConfig c = GptConfig.builder().vocabSize(tok.vocabSize()).contextLength(16).layers(1).heads(2)
                .embeddingDim(8).bias(true).activation(Activation.GELU_TANH).build();
        Path nativeDir = dir.resolve("native");
        new ModelDirectory(c, Initializer.initialize(ModelDirectory.modelFor(c).parameterSpecs(), 3), tok)
                .save(nativeDir);
        Path hf = dir.resolve("hf");
        CliOutput.ok("export", "--format", "hf", "--model", nativeDir.toString(), "--out", hf.toString());
        byte[] baseBytes = Files.readAllBytes(hf.resolve(ModelDirectory.WEIGHTS));

        Path adapter = dir.resolve("adapter");
        String out = CliOutput.ok(trainArgs(hf, data, adapter, backend, "--lora-rank", "2", "--lora-alpha", "4",
                "--lora-targets", "c_attn,c_fc", "--lora-dropout", "0.05"));
        assertThat(out).contains("LoRA r=2").contains("on 2 layers");
        JsonNode cfg = new ObjectMapper().readTree(Files.readString(adapter.resolve("adapter_config.json")));
        assertEquals("LORA", cfg.get("peft_type").asText());
        assertEquals(2, cfg.get("r").asInt());
        assertEquals(4, cfg.get("lora_alpha").asInt());
        assertEquals(0.05, cfg.get("lora_dropout").asDouble(), 1e-7);
        assertEquals("none", cfg.get("bias").asText());
        assertEquals("CAUSAL_LM", cfg.get("task_type").asText());
        assertTrue(cfg.get("fan_in_fan_out").asBoolean(), "GPT-2's Conv1D layers: fan_in_fan_out true");
        assertEquals("[\"c_attn\",\"c_fc\"]", cfg.get("target_modules").toString());
        assertEquals(hf.toAbsolutePath().normalize().toString(), cfg.get("base_model_name_or_path").asText());
        Map<String, HostTensor> tensors = Safetensors.read(adapter.resolve("adapter_model.safetensors")).tensors();
        assertThat(tensors.keySet()).containsExactlyInAnyOrder(
                "base_model.model.transformer.h.0.attn.c_attn.lora_A.weight",
                "base_model.model.transformer.h.0.attn.c_attn.lora_B.weight",
                "base_model.model.transformer.h.0.mlp.c_fc.lora_A.weight",
                "base_model.model.transformer.h.0.mlp.c_fc.lora_B.weight");
        assertEquals(Shape.of(2, 8), tensors.get("base_model.model.transformer.h.0.attn.c_attn.lora_A.weight").shape(),
                "lora_A [r, in]");
        assertEquals(Shape.of(24, 2), tensors.get("base_model.model.transformer.h.0.attn.c_attn.lora_B.weight").shape(),
                "lora_B [out, r] (out = 3 x 8 for the fused q/k/v)");
        assertTrue(java.util.Arrays.equals(baseBytes, Files.readAllBytes(hf.resolve(ModelDirectory.WEIGHTS))),
                "the base directory's weights file is untouched");

        String[] gen = {"--prompt", "to be", "--max-tokens", "12", "--temperature", "0", "--threads", "1",
                "--backend", "cpu"};
        String withAdapter = CliOutput.ok(concat(new String[] {"generate", "--model", hf.toString(), "--adapter",
                adapter.toString()}, gen));
        String plain = CliOutput.ok(concat(new String[] {"generate", "--model", hf.toString()}, gen));
        Path merged = dir.resolve("merged");
        assertThat(CliOutput.ok("merge", "--model", hf.toString(), "--adapter", adapter.toString(), "--out",
                merged.toString())).contains("merged LoRA r=2");
        assertEquals(ModelDirectory.Layout.HUGGING_FACE, ModelDirectory.load(merged).layout());
        String fromMerged = CliOutput.ok(concat(new String[] {"generate", "--model", merged.toString()}, gen));
        assertEquals(withAdapter, fromMerged, "base + adapter and the merged directory generate the same text");
        assertThat(withAdapter).startsWith("to be");
        assertThat(plain).startsWith("to be");
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "tensorflow"})
    void llamaAdapterAndFullFineTuning(String backend, @TempDir Path dir) throws Exception {
        Path data = dir.resolve("text.txt");
        Files.writeString(data, TEXT);
        CharTokenizer tok = CharTokenizer.fromText(TEXT);
        LlamaConfig c = LlamaConfig.builder().vocabSize(tok.vocabSize()).hiddenSize(16).intermediateSize(24).layers(2)
                .heads(4).kvHeads(2).maxPositionEmbeddings(32).build();
        Path base = dir.resolve("llama");
        new ModelDirectory(c, Initializer.initialize(ModelDirectory.modelFor(c).parameterSpecs(), 5), tok).save(base);
        ModelDirectory before = ModelDirectory.load(base);

        Path adapter = dir.resolve("adapter");
        CliOutput.ok(trainArgs(base, data, adapter, backend, "--lora-rank", "4"));
        JsonNode cfg = new ObjectMapper().readTree(Files.readString(adapter.resolve("adapter_config.json")));
        assertEquals("[\"q_proj\",\"v_proj\"]", cfg.get("target_modules").toString(), "PEFT's default for llama");
        assertEquals(8, cfg.get("lora_alpha").asInt(), "default alpha 2r");
        assertTrue(!cfg.get("fan_in_fan_out").asBoolean(), "nn.Linear layers: fan_in_fan_out false");
        Path merged = dir.resolve("merged");
        CliOutput.ok("merge", "--model", base.toString(), "--adapter", adapter.toString(), "--out", merged.toString());
        ModelDirectory after = ModelDirectory.load(merged);
        assertEquals(before.config(), after.config());
        for (var e : before.weights().entrySet()) {
            boolean adapted = e.getKey().endsWith("q_proj.weight") || e.getKey().endsWith("v_proj.weight");
            boolean same = java.util.Arrays.equals(e.getValue().floats(), after.weights().get(e.getKey()).floats());
            assertEquals(!adapted, same, e.getKey() + (adapted ? " should carry the adapter" : " should be the base's"));
        }

        Path tuned = dir.resolve("tuned");
        CliOutput.ok(trainArgs(base, data, tuned, backend));
        ModelDirectory full = ModelDirectory.load(tuned);
        assertEquals(before.config(), full.config());
        assertThat(Files.readString(tuned.resolve("config.json"))).contains("\"model_type\" : \"llama\"");
        assertThat(Safetensors.read(tuned.resolve(ModelDirectory.WEIGHTS)).tensors().keySet())
                .isEqualTo(Safetensors.read(base.resolve(ModelDirectory.WEIGHTS)).tensors().keySet());
        long changed = before.weights().keySet().stream().filter(k -> !java.util.Arrays.equals(
                before.weights().get(k).floats(), full.weights().get(k).floats())).count();
        assertEquals(before.weights().size(), changed, "full fine-tuning trains every weight");
    }

    private static String[] concat(String[] a, String[] b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
