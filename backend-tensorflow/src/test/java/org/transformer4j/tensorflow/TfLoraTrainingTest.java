package org.transformer4j.tensorflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.transformer4j.backend.EngineOptions;
import org.transformer4j.backend.TrainingEngine;
import org.transformer4j.cpu.CpuBackend;
import org.transformer4j.data.Batch;
import org.transformer4j.lora.LoraConfig;
import org.transformer4j.lora.LoraModel;
import org.transformer4j.model.GptConfig;
import org.transformer4j.model.GptModel;
import org.transformer4j.model.LlamaConfig;
import org.transformer4j.model.LlamaModel;
import org.transformer4j.nn.Activation;
import org.transformer4j.nn.ParameterSpec;
import org.transformer4j.nn.TrainableModel;
import org.transformer4j.tensor.HostTensor;
import org.transformer4j.tensor.Shape;
import org.transformer4j.train.AdamWStep;
import org.transformer4j.train.TrainingProgram;

/**
 * LoRA on tensorflow against the cpu backend (whose adapter gradients are checked against finite differences): the
 * frozen base weights live in variables uploaded once, the graph differentiates only the adapters, so the loss,
 * the adapters' gradients and ten AdamW steps match cpu; on a fixed batch the loss falls while every base weight
 * stays bit-identical and the program holds nothing but the adapters.
 */
class TfLoraTrainingTest {
    private static final int VOCAB = 13;
    private static final AdamWStep ADAMW = new AdamWStep(1e-2f, 0.9f, 0.95f, 1e-8f, 0f, 1f);
    private static TrainingEngine cpu;
    private static TrainingEngine tf;

    @BeforeAll
    static void open() {
        cpu = new CpuBackend().open(EngineOptions.defaults().withThreads(1));
        tf = new TensorFlowBackend().open(EngineOptions.defaults().withThreads(1));
    }

    @AfterAll
    static void close() {
        cpu.close();
        tf.close();
    }

    /** Values spread in ±0.5 (gains 1±0.3), adapters' B included, so every gradient is sizeable. */
    private static Map<String, HostTensor> weights(List<ParameterSpec> specs, long seed) {
        Random rnd = new Random(seed);
        Map<String, HostTensor> out = new LinkedHashMap<>();
        for (ParameterSpec spec : specs) {
            float[] v = new float[spec.shape().size()];
            for (int i = 0; i < v.length; i++) {
                double u = 2 * rnd.nextDouble() - 1;
                v[i] = (float) (spec.init() == ParameterSpec.Init.ONES ? 1 + 0.3 * u : 0.5 * u);
            }
            out.put(spec.name(), HostTensor.ofFloats(spec.shape(), v));
        }
        return out;
    }

    private static Batch batch(long seed) {
        Random r = new Random(seed);
        int[] ids = new int[2 * 7];
        int[] targets = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = r.nextInt(VOCAB);
            targets[i] = r.nextInt(VOCAB);
        }
        return new Batch(Map.of("input_ids", HostTensor.ofInts(Shape.of(2, 7), ids),
                "targets", HostTensor.ofInts(Shape.of(2, 7), targets)));
    }

    private static GptModel gpt() {
        return new GptModel(GptConfig.builder().vocabSize(VOCAB).contextLength(10).layers(2).heads(2).embeddingDim(8)
                .bias(true).activation(Activation.GELU_TANH).build());
    }

    private static LlamaModel llama() {
        return new LlamaModel(LlamaConfig.builder().vocabSize(VOCAB).hiddenSize(8).intermediateSize(12).layers(2)
                .heads(4).kvHeads(2).maxPositionEmbeddings(10).build());
    }

    @Test
    void gpt2AdapterGradientsAndStepsMatchTheCpuBackend() {
        GptModel base = gpt();
        matchCpu(new LoraModel(base, weights(base.parameterSpecs(), 1),
                new LoraConfig(2, 4f, List.of("c_attn", "c_proj", "c_fc"), 0f)), 2);
    }

    @Test
    void llamaAdapterGradientsAndStepsMatchTheCpuBackend() {
        LlamaModel base = llama();
        matchCpu(new LoraModel(base, weights(base.parameterSpecs(), 3),
                new LoraConfig(2, 3f, List.of("q_proj", "v_proj", "down_proj"), 0f)), 4);
    }

    private static void matchCpu(LoraModel lora, long seed) {
        Map<String, HostTensor> adapters = weights(lora.parameterSpecs(), seed);
        try (TrainingProgram a = cpu.compileTraining(lora, adapters);
             TrainingProgram b = tf.compileTraining(lora, adapters)) {
            for (int s = 0; s < 10; s++) {
                Batch batch = batch(10L * s);
                float la = a.forwardBackward(batch);
                float lb = b.forwardBackward(batch);
                assertThat(Math.abs(la - lb)).as("loss at step " + s).isLessThanOrEqualTo(1e-4f * Math.abs(la));
                if (s == 0) {
                    close(a.gradients(), b.gradients(), 1e-7, 1e-3, "adapter gradients");
                }
                a.step(ADAMW);
                b.step(ADAMW);
            }
            close(a.weights(), b.weights(), 1e-6, 1e-4, "adapters after 10 steps");
            assertEquals(a.weights().keySet(), b.weights().keySet());
        }
    }

    private static void close(Map<String, HostTensor> expected, Map<String, HostTensor> actual, double abs, double rel,
                              String what) {
        assertEquals(expected.keySet(), actual.keySet(), what);
        for (String k : expected.keySet()) {
            float[] e = expected.get(k).floats();
            float[] g = actual.get(k).floats();
            for (int i = 0; i < e.length; i++) {
                assertTrue(Math.abs(e[i] - g[i]) <= abs + rel * Math.abs(e[i]),
                        what + " " + k + "[" + i + "]: cpu " + e[i] + ", tensorflow " + g[i]);
            }
        }
    }

    @Test
    void trainingAdaptersLowersTheLossAndLeavesTheBaseBitIdentical() {
        LlamaModel base = llama();
        Map<String, HostTensor> w = weights(base.parameterSpecs(), 5);
        Map<String, float[]> before = new LinkedHashMap<>();
        w.forEach((k, v) -> before.put(k, v.floats().clone()));
        LoraModel lora = new LoraModel(base, w, new LoraConfig(4, 8f, List.of("q_proj", "k_proj", "v_proj", "o_proj",
                "gate_proj", "up_proj", "down_proj"), 0.1f));
        Batch fixed = batch(42);
        try (TrainingProgram p = tf.compileTraining(lora, org.transformer4j.nn.Initializer.initialize(
                lora.parameterSpecs(), 6))) {
            float first = p.evaluate(fixed);
            for (int i = 0; i < 40; i++) {
                p.forwardBackward(fixed);
                p.step(ADAMW);
            }
            float last = p.evaluate(fixed);
            assertTrue(last < 0.7f * first, "loss on the fixed batch: " + first + " -> " + last);
            assertEquals(lora.parameterSpecs().size(), p.weights().size(), "the program holds only the adapters");
            assertEquals(p.weights().keySet(), p.optimizerState().v().keySet(), "optimizer state only for adapters");
        }
        for (var e : before.entrySet()) {
            assertTrue(Arrays.equals(e.getValue(), w.get(e.getKey()).floats()), e.getKey() + " is not bit-identical");
        }
    }

    @Test
    void aModelThatTrainsAndFreezesTheSameWeightIsRefused() {
        GptModel base = gpt();
        Map<String, HostTensor> w = weights(base.parameterSpecs(), 7);
        TrainableModel both = new TrainableModel() {
            @Override
            public List<ParameterSpec> parameterSpecs() {
                return base.parameterSpecs();
            }

            @Override
            public Map<String, HostTensor> frozenWeights() {
                return w;
            }

            @Override
            public List<String> inputNames() {
                return base.inputNames();
            }

            @Override
            public org.transformer4j.tensor.Tensor loss(org.transformer4j.nn.Ops ops,
                                                        org.transformer4j.nn.Parameters p,
                                                        Map<String, org.transformer4j.tensor.Tensor> in) {
                return base.loss(ops, p, in);
            }
        };
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> tf.compileTraining(both, w).close())
                .hasMessageContaining("declared both trained and frozen");
    }
}
