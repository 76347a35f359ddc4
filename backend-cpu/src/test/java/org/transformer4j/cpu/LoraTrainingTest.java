package org.transformer4j.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.transformer4j.conformance.fixtures.TinyModels.SMALL;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.transformer4j.backend.TrainingEngine;
import org.transformer4j.backend.EngineOptions;
import org.transformer4j.backend.LoadedWeights;
import org.transformer4j.conformance.fixtures.TinyModels;
import org.transformer4j.data.Batch;
import org.transformer4j.lora.LoraConfig;
import org.transformer4j.lora.LoraModel;
import org.transformer4j.model.LlamaConfig;
import org.transformer4j.model.LlamaModel;
import org.transformer4j.nn.Initializer;
import org.transformer4j.nn.Ops;
import org.transformer4j.tensor.HostTensor;
import org.transformer4j.tensor.Tensor;
import org.transformer4j.train.AdamWStep;
import org.transformer4j.train.TrainingProgram;

/**
 * LoRA fine-tuning on the cpu backend: at initialization (B = 0) the adapted model computes exactly the base model's
 * logits; training rank-4 adapters on a fixed batch lowers its loss while every base weight stays bit-identical, and
 * the training program holds only the adapters. (Their gradients are checked against finite differences in
 * {@link ModelGradientTest}.)
 */
class LoraTrainingTest {

    private static LlamaModel base() {
        return new LlamaModel(LlamaConfig.builder().vocabSize(SMALL.vocab()).hiddenSize(16).intermediateSize(24)
                .layers(2).heads(4).kvHeads(2).maxPositionEmbeddings(SMALL.context()).build());
    }

    @Test
    void freshAdaptersLeaveTheLogitsUnchanged() {
        LlamaModel base = base();
        Map<String, HostTensor> weights = TinyModels.gradientWeights(base.parameterSpecs(), 3);
        LoraModel lora = new LoraModel(base, weights, LoraConfig.of(4));
        assertEquals(2 * 2 * 2, lora.parameterSpecs().size(), "A and B for q_proj and v_proj of 2 layers");
        HostTensor ids = TinyModels.gptBatch(SMALL.vocab(), 2, 7, 1).get("input_ids");
        try (TrainingEngine cpu = new CpuBackend().open(EngineOptions.defaults().withThreads(1));
             LoadedWeights w = cpu.load(weights);
             LoadedWeights adapters = cpu.load(Initializer.initialize(lora.parameterSpecs(), 4))) {
            Ops ops = cpu.inferenceOps();
            Tensor plain = base.logits(ops, w, ops.constant(ids));
            Tensor adapted = base.logits(ops, lora.parameters(ops, adapters), ops.constant(ids));
            assertArrayEquals(plain.toFloatArray(), adapted.toFloatArray(), 0f);
        }
    }

    @Test
    void trainingAdaptersLowersTheLossAndLeavesTheBaseBitIdentical() {
        LlamaModel base = base();
        Map<String, HostTensor> weights = TinyModels.gradientWeights(base.parameterSpecs(), 5);
        Map<String, float[]> before = new LinkedHashMap<>();
        weights.forEach((k, v) -> before.put(k, v.floats().clone()));
        LoraModel lora = new LoraModel(base, weights, new LoraConfig(4, 8f, List.of("q_proj", "k_proj", "v_proj",
                "o_proj", "gate_proj", "up_proj", "down_proj")));
        Batch batch = TinyModels.gptBatch(SMALL.vocab(), 2, 7, 1);
        AdamWStep adamw = new AdamWStep(1e-2f, 0.9f, 0.95f, 1e-8f, 0f, 1f);
        try (TrainingEngine cpu = new CpuBackend().open(EngineOptions.defaults().withThreads(2).withSeed(1));
             TrainingProgram p = cpu.compileTraining(lora, Initializer.initialize(lora.parameterSpecs(), 6))) {
            float first = p.evaluate(batch);
            for (int i = 0; i < 40; i++) {
                p.zeroGradients();
                p.forwardBackward(batch);
                p.step(adamw);
            }
            float last = p.evaluate(batch);
            assertTrue(last < 0.7f * first, "loss on the fixed batch: " + first + " -> " + last);
            assertEquals(lora.parameterSpecs().size(), p.weights().size(), "the program holds only the adapters");
            assertTrue(p.weights().keySet().stream().allMatch(k -> k.startsWith(LoraModel.PREFIX)),
                    p.weights().keySet().toString());
        }
        for (var e : before.entrySet()) {
            assertArrayEquals(e.getValue(), weights.get(e.getKey()).floats(), 0f, e.getKey() + " changed");
            assertTrue(java.util.Arrays.equals(e.getValue(), weights.get(e.getKey()).floats()),
                    e.getKey() + " is not bit-identical");
        }
    }
}
