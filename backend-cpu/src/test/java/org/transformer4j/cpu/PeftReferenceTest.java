package org.transformer4j.cpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.transformer4j.backend.EngineOptions;
import org.transformer4j.backend.InferenceEngine;
import org.transformer4j.backend.LoadedWeights;
import org.transformer4j.io.Safetensors;
import org.transformer4j.lora.LoraAdapter;
import org.transformer4j.model.GptConfig;
import org.transformer4j.model.GptModel;
import org.transformer4j.model.LlamaConfig;
import org.transformer4j.model.LlamaModel;
import org.transformer4j.model.ModelDirectory;
import org.transformer4j.nn.Ops;
import org.transformer4j.tensor.HostTensor;
import org.transformer4j.tokenizer.CharTokenizer;
import org.transformer4j.tokenizer.Tokenizers;

/**
 * PEFT adapters written by an independent reference ({@code scripts/reference/lora_reference_torch.py}: PEFT's
 * adapter_config.json with every field PEFT writes, tensors under PEFT's names, expected logits from HF's formulas
 * with {@code W + (alpha/r)·B·A}, transposed onto GPT-2's Conv1D weights) load onto their Hugging Face base
 * directories and give the reference logits to 1e-4 on the cpu backend; saving such an adapter and reading it back
 * is the identity.
 */
class PeftReferenceTest {

    /** Copies fixture {@code name} out of the class path and adds a tokenizer (the fixture has none). */
    private static Path copy(String name, Path tmp) throws IOException {
        String[] files = {"base/config.json", "base/model.safetensors", "adapter/adapter_config.json",
            "adapter/adapter_model.safetensors", "reference.safetensors"};
        for (String f : files) {
            String resource = "/org/transformer4j/lora/" + name + "/" + f;
            try (InputStream in = PeftReferenceTest.class.getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IOException("test resource " + resource + " is missing; regenerate it with "
                            + "scripts/reference/lora_reference_torch.py");
                }
                Path to = tmp.resolve(name).resolve(f);
                Files.createDirectories(to.getParent());
                Files.copy(in, to);
            }
        }
        StringBuilder alphabet = new StringBuilder();
        for (int i = 0; i < 40; i++) {
            alphabet.append((char) ('0' + i));
        }
        Tokenizers.save(CharTokenizer.fromText(alphabet.toString()), tmp.resolve(name).resolve("base/tokenizer.json"));
        return tmp.resolve(name);
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-llama", "tiny-gpt2"})
    void adapterOfTheReferenceGivesItsLogits(String name, @TempDir Path tmp) throws IOException {
        Path dir = copy(name, tmp);
        ModelDirectory base = ModelDirectory.load(dir.resolve("base"));
        LoraAdapter adapter = LoraAdapter.load(dir.resolve("adapter"));
        boolean gpt2 = name.equals("tiny-gpt2");
        assertEquals(gpt2, adapter.fanInFanOut());
        assertEquals(gpt2 ? 2 : 4, adapter.config().rank());
        assertEquals(gpt2 ? 3f : 2f, adapter.config().scale());
        assertEquals(0.05f, adapter.config().dropout());
        assertEquals(gpt2 ? List.of("c_attn", "mlp.c_proj") : List.of("down_proj", "q_proj", "v_proj"),
                adapter.config().targets());
        assertThat(adapter.layers()).hasSize(gpt2 ? 4 : 6);

        var reference = Safetensors.read(dir.resolve("reference.safetensors")).tensors();
        HostTensor ids = reference.get("input_ids");
        float[] expected = reference.get("logits").floats();
        ModelDirectory merged = adapter.merge(base);
        try (InferenceEngine cpu = new CpuBackend().open(EngineOptions.defaults().withThreads(1));
             LoadedWeights w = cpu.load(merged.weights())) {
            Ops ops = cpu.inferenceOps();
            HostTensor intIds = HostTensor.ofInts(ids.shape(), ids.toIntArray());
            float[] got = (merged.config() instanceof GptConfig g
                    ? new GptModel(g).logits(ops, w, ops.constant(intIds))
                    : new LlamaModel((LlamaConfig) merged.config()).logits(ops, w, ops.constant(intIds)))
                    .toFloatArray();
            float largest = 0;
            for (int i = 0; i < expected.length; i++) {
                largest = Math.max(largest, Math.abs(expected[i] - got[i]) / Math.max(1f, Math.abs(expected[i])));
            }
            assertThat(largest).as(name + ": merged logits vs PyTorch (relative above 1)").isLessThanOrEqualTo(1e-4f);
        }

        Path again = tmp.resolve("again");
        adapter.save(again);
        assertEquals(adapter, LoraAdapter.load(again), "written and read back");
    }
}
