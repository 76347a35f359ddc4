package org.transformer4j.cpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.transformer4j.conformance.fixtures.TinyModels.SMALL;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.transformer4j.backend.EngineOptions;
import org.transformer4j.backend.LoadedWeights;
import org.transformer4j.backend.TrainingEngine;
import org.transformer4j.conformance.fixtures.TinyModels;
import org.transformer4j.data.Batch;
import org.transformer4j.lora.LoraAdapter;
import org.transformer4j.lora.LoraConfig;
import org.transformer4j.lora.LoraModel;
import org.transformer4j.model.GptModel;
import org.transformer4j.model.LlamaConfig;
import org.transformer4j.model.LlamaModel;
import org.transformer4j.nn.Initializer;
import org.transformer4j.nn.Ops;
import org.transformer4j.nn.Parameters;
import org.transformer4j.nn.TrainableModel;
import org.transformer4j.tensor.HostTensor;
import org.transformer4j.tensor.Tensor;
import org.transformer4j.train.AdamWStep;
import org.transformer4j.train.TrainingProgram;

/**
 * LoRA fine-tuning on the cpu backend, on a tiny Llama and a tiny GPT-2: at initialization (B = 0) the adapted model
 * computes exactly the base model's logits; training rank-4 adapters on a fixed batch lowers its loss while every base
 * weight stays bit-identical and the training program holds only the adapters; merging the trained adapter into the
 * base weights ({@code W + (alpha/r)·B·A}) gives the logits of the unmerged base + adapter branch to 1e-5; the PEFT
 * files written read back as the same adapter. (The adapters' gradients are checked against finite differences in
 * {@link ModelGradientTest}.)
 */
class LoraTrainingTest {
    private static final List<String> ALL_LLAMA = List.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj",
            "up_proj", "down_proj");

    private static LlamaModel llama() {
        return new LlamaModel(LlamaConfig.builder().vocabSize(SMALL.vocab()).hiddenSize(16).intermediateSize(24)
                .layers(2).heads(4).kvHeads(2).maxPositionEmbeddings(SMALL.context()).build());
    }

    private static TrainingEngine cpu() {
        return new CpuBackend().open(EngineOptions.defaults().withThreads(2).withSeed(1));
    }

    private static Map<String, HostTensor> union(Map<String, HostTensor> a, Map<String, HostTensor> b) {
        Map<String, HostTensor> m = new LinkedHashMap<>(a);
        m.putAll(b);
        return m;
    }

    private static float[] logits(TrainableModel model, Ops ops, Parameters p, HostTensor ids) {
        Tensor t = model instanceof LlamaModel l ? l.logits(ops, p, ops.constant(ids))
                : ((GptModel) model).logits(ops, p, ops.constant(ids));
        return t.toFloatArray();
    }

    @Test
    void freshAdaptersLeaveTheLogitsUnchanged() {
        LlamaModel base = llama();
        Map<String, HostTensor> weights = TinyModels.gradientWeights(base.parameterSpecs(), 3);
        LoraModel lora = new LoraModel(base, weights, LoraConfig.of(4, "llama"));
        assertEquals(2 * 2 * 2, lora.parameterSpecs().size(), "A and B for q_proj and v_proj of 2 layers");
        HostTensor ids = TinyModels.gptBatch(SMALL.vocab(), 2, 7, 1).get("input_ids");
        try (TrainingEngine cpu = cpu();
             LoadedWeights w = cpu.load(weights);
             LoadedWeights both = cpu.load(union(weights, Initializer.initialize(lora.parameterSpecs(), 4)))) {
            Ops ops = cpu.inferenceOps();
            assertArrayEquals(logits(base, ops, w, ids), logits(base, ops, lora.adapted(both), ids), 0f);
        }
    }

    @Test
    void llamaAdaptersLowerTheLossLeaveTheBaseBitIdenticalAndMergeExactly(@TempDir Path dir) throws Exception {
        LlamaModel base = llama();
        trainMergeAndReadBack(base, TinyModels.gradientWeights(base.parameterSpecs(), 5),
                new LoraConfig(4, 8f, ALL_LLAMA, 0f), false, dir);
    }

    @Test
    void gpt2AdaptersWithDropoutLowerTheLossLeaveTheBaseBitIdenticalAndMergeExactly(@TempDir Path dir)
            throws Exception {
        GptModel base = new GptModel(TinyModels.gptPreLn(SMALL).tiedEmbeddings(true).build());
        trainMergeAndReadBack(base, TinyModels.gradientWeights(base.parameterSpecs(), 7),
                new LoraConfig(4, 16f, List.of("c_attn", "c_proj", "c_fc"), 0.1f), true, dir);
    }

    private static void trainMergeAndReadBack(TrainableModel base, Map<String, HostTensor> weights, LoraConfig config,
                                              boolean fanInFanOut, Path dir) throws Exception {
        Map<String, float[]> before = new LinkedHashMap<>();
        weights.forEach((k, v) -> before.put(k, v.floats().clone()));
        LoraModel lora = new LoraModel(base, weights, config);
        Batch batch = TinyModels.gptBatch(SMALL.vocab(), 2, 7, 1);
        AdamWStep adamw = new AdamWStep(1e-2f, 0.9f, 0.95f, 1e-8f, 0f, 1f);
        Map<String, HostTensor> trained;
        try (TrainingEngine cpu = cpu();
             TrainingProgram p = cpu.compileTraining(lora, Initializer.initialize(lora.parameterSpecs(), 6))) {
            float first = p.evaluate(batch);
            for (int i = 0; i < 40; i++) {
                p.zeroGradients();
                p.forwardBackward(batch);
                p.step(adamw);
            }
            float last = p.evaluate(batch);
            assertTrue(last < 0.7f * first, "loss on the fixed batch: " + first + " -> " + last);
            trained = p.weights();
            assertEquals(lora.parameterSpecs().size(), trained.size(), "the program holds only the adapters");
            assertTrue(trained.keySet().stream().allMatch(k -> k.startsWith(LoraModel.PREFIX)), trained.keySet()
                    .toString());
            assertEquals(trained.keySet(), p.optimizerState().m().keySet(), "optimizer state only for the adapters");
            assertEquals(trained.keySet(), p.gradients().keySet(), "gradients only for the adapters");
        }
        for (var e : before.entrySet()) {
            assertTrue(Arrays.equals(e.getValue(), weights.get(e.getKey()).floats()),
                    e.getKey() + " is not bit-identical");
        }

        LoraAdapter adapter = lora.adapter(trained, "tiny-base", fanInFanOut);
        adapter.save(dir);
        LoraAdapter read = LoraAdapter.load(dir);
        assertEquals(adapter, read, "reading back the PEFT files gives the adapter written");

        Map<String, HostTensor> merged = read.merge(weights);
        HostTensor ids = batch.get("input_ids");
        try (TrainingEngine cpu = cpu();
             LoadedWeights unmerged = cpu.load(union(weights, trained));
             LoadedWeights m = cpu.load(merged);
             LoadedWeights plain = cpu.load(weights)) {
            Ops ops = cpu.inferenceOps();
            float[] branch = logits(base, ops, lora.adapted(unmerged), ids);
            float[] folded = logits(base, ops, m, ids);
            float[] baseLogits = logits(base, ops, plain, ids);
            float largest = 0;
            float moved = 0;
            for (int i = 0; i < branch.length; i++) {
                largest = Math.max(largest, Math.abs(branch[i] - folded[i]));
                moved = Math.max(moved, Math.abs(branch[i] - baseLogits[i]));
            }
            assertThat(largest).as("merged vs base + adapter branch").isLessThanOrEqualTo(1e-5f);
            assertThat(moved).as("the adapter changes the logits").isGreaterThan(0.1f);
        }
    }

    @Test
    void targetsThatMatchNoLinearLayerAreRefusedWithTheLayersThatExist() {
        LlamaModel base = llama();
        Map<String, HostTensor> weights = TinyModels.gradientWeights(base.parameterSpecs(), 3);
        BiFunction<List<String>, Float, LoraConfig> cfg = (t, d) -> new LoraConfig(2, 4f, t, d);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new LoraModel(base, weights,
                        cfg.apply(List.of("q_proj", "qkv"), 0f)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("[qkv]").hasMessageContaining("q_proj").hasMessageContaining("down_proj");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new LoraModel(base, weights,
                        cfg.apply(List.of("embed_tokens"), 0f)))
                .hasMessageContaining("no linear layer of the model is called [embed_tokens]");
    }
}
