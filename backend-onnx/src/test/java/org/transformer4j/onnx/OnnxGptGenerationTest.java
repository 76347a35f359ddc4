package org.transformer4j.onnx;

import org.transformer4j.backend.InferenceEngine;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.transformer4j.conformance.fixtures.TinyModels.ODD;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.transformer4j.backend.Engine;
import org.transformer4j.backend.LoadedWeights;
import org.transformer4j.conformance.fixtures.TinyModels;
import org.transformer4j.generate.BeamSearchOptions;
import org.transformer4j.generate.GeneratedText;
import org.transformer4j.generate.GenerationOptions;
import org.transformer4j.generate.TextGenerator;
import org.transformer4j.generate.Hypothesis;
import org.transformer4j.generate.GptGenerator;
import org.transformer4j.model.GptConfig;
import org.transformer4j.model.GptModel;
import org.transformer4j.onnx.export.OnnxExporter;
import org.transformer4j.tensor.HostTensor;
import org.transformer4j.tokenizer.CharTokenizer;

/** Generation on an exported GPT gives backend-cpu's tokens, also with many threads sharing one model. */
class OnnxGptGenerationTest {

    @Test
    void greedyAndSampledTokensEqualCpuGenerator(@TempDir Path dir) throws Exception {
        GptConfig config = TinyModels.gptPreLn(ODD).build();
        GptModel model = new GptModel(config);
        Map<String, HostTensor> weights = TinyModels.randomWeights(model.parameterSpecs(), 21);
        OnnxExporter.export(config, weights, null, dir);
        int[] prompt = {3, 1, 4, 1, 5};
        // 40 new tokens run past the context (12): the window is rebuilt several times
        List<GenerationOptions> options = List.of(GenerationOptions.greedy(40),
                GenerationOptions.sampling(40, 0.9f, 0, 42L));
        try (OnnxModel onnx = OnnxModel.open(dir);
             InferenceEngine cpu = CpuReference.open();
             LoadedWeights w = cpu.load(weights)) {
            for (GenerationOptions o : options) {
                int[] want = new GptGenerator(model, cpu.inferenceOps(), w).generate(prompt, o, t -> true);
                int[] got = new GptGenerator(onnx).generate(prompt, o, t -> true);
                assertEquals(40, want.length);
                assertArrayEquals(want, got, "temperature " + o.temperature());
            }
        }
    }

    @Test
    void textGenerationWithStopStringsEqualsCpu(@TempDir Path dir) throws Exception {
        CharTokenizer chars = CharTokenizer.fromText("abcdefghijklmnopqrstuvw");
        GptConfig config = TinyModels.gptPreLn(ODD).vocabSize(chars.vocabSize()).build();
        assertEquals(config.vocabSize(), chars.vocabSize());
        GptModel model = new GptModel(config);
        Map<String, HostTensor> weights = TinyModels.randomWeights(model.parameterSpecs(), 22);
        OnnxExporter.export(config, weights, chars, dir);
        GenerationOptions options = GenerationOptions.sampling(30, 1f, 0, 3L);
        try (OnnxModel onnx = OnnxModel.open(dir);
             InferenceEngine cpu = CpuReference.open();
             LoadedWeights w = cpu.load(weights)) {
            TextGenerator want = new TextGenerator(new GptGenerator(model, cpu.inferenceOps(), w), chars);
            TextGenerator got = new TextGenerator(new GptGenerator(onnx), onnx.tokenizer().orElseThrow());
            GeneratedText free = want.generate("abc", options);
            assertEquals(free, got.generate("abc", options));
            String stop = free.text().substring(10, 12);
            StringBuilder streamed = new StringBuilder();
            GeneratedText cut = got.generate("abc", options.withStopStrings(List.of(stop)), streamed::append);
            assertEquals(free.text().substring(0, free.text().indexOf(stop)), cut.text());
            assertEquals(cut.text(), streamed.toString());
            assertEquals(stop, cut.stopString());
        }
    }

    @Test
    void beamSearchEqualsCpuBeamSearch(@TempDir Path dir) throws Exception {
        GptConfig config = TinyModels.gptPostLn(ODD).build();
        GptModel model = new GptModel(config);
        Map<String, HostTensor> weights = TinyModels.randomWeights(model.parameterSpecs(), 29);
        OnnxExporter.export(config, weights, null, dir);
        int[] prompt = {2, 7, 1};
        BeamSearchOptions options = BeamSearchOptions.of(3, 6, java.util.Set.of(4)).withNBest(3);
        try (OnnxModel onnx = OnnxModel.open(dir);
             InferenceEngine cpu = CpuReference.open();
             LoadedWeights w = cpu.load(weights)) {
            List<Hypothesis> want = new GptGenerator(model, cpu.inferenceOps(), w).beamSearch(prompt, options);
            List<Hypothesis> got = new GptGenerator(onnx).beamSearch(prompt, options, false);
            assertEquals(want.size(), got.size());
            for (int i = 0; i < want.size(); i++) {
                assertArrayEquals(want.get(i).tokens(), got.get(i).tokens(), "hypothesis " + i);
                assertEquals(want.get(i).logProb(), got.get(i).logProb(), 1e-3, "hypothesis " + i);
            }
        }
    }

    @Test
    void sixteenThreadsOnOneModelEqualSequentialRuns(@TempDir Path dir) throws Exception {
        GptConfig config = TinyModels.gptPostLn(ODD).build();
        Map<String, HostTensor> weights = TinyModels.randomWeights(new GptModel(config).parameterSpecs(), 23);
        OnnxExporter.export(config, weights, null, dir);
        int threads = 16;
        try (OnnxModel onnx = OnnxModel.open(dir)) {
            GptGenerator generator = new GptGenerator(onnx);
            List<int[]> prompts = new ArrayList<>();
            List<int[]> sequential = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                int[] prompt = TinyModels.ids(1, 1 + i % 5, config.vocabSize(), 100 + i)[0];
                prompts.add(prompt);
                sequential.add(generator.generate(prompt, GenerationOptions.sampling(20, 1f, 5, i), t -> true));
            }
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                List<Future<int[]>> futures = new ArrayList<>();
                for (int i = 0; i < threads; i++) {
                    int k = i;
                    futures.add(pool.submit(() -> generator.generate(prompts.get(k),
                            GenerationOptions.sampling(20, 1f, 5, k), t -> true)));
                }
                for (int i = 0; i < threads; i++) {
                    assertArrayEquals(sequential.get(i), futures.get(i).get(), "thread " + i);
                }
            } finally {
                pool.shutdown();
            }
        }
    }
}
