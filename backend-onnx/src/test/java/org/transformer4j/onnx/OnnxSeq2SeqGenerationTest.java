package org.transformer4j.onnx;

import org.transformer4j.backend.InferenceEngine;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.transformer4j.conformance.fixtures.TinyModels.ODD;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.transformer4j.backend.Engine;
import org.transformer4j.backend.LoadedWeights;
import org.transformer4j.conformance.fixtures.TinyModels;
import org.transformer4j.generate.BeamSearchOptions;
import org.transformer4j.generate.GenerationOptions;
import org.transformer4j.generate.Hypothesis;
import org.transformer4j.generate.Seq2SeqGenerator;
import org.transformer4j.model.Seq2SeqConfig;
import org.transformer4j.model.Seq2SeqModel;
import org.transformer4j.onnx.export.OnnxExporter;
import org.transformer4j.tensor.HostTensor;

/** Greedy, sampled and beam-search targets of an exported encoder-decoder equal backend-cpu's. */
class OnnxSeq2SeqGenerationTest {
    private static final int BOS = 1;
    private static final int EOS = 2;

    @Test
    void greedySampledAndBeamTargetsEqualCpu(@TempDir Path dir) throws Exception {
        Seq2SeqConfig config = TinyModels.seq2seqPostLn(ODD).build();
        Seq2SeqModel model = new Seq2SeqModel(config);
        Map<String, HostTensor> weights = TinyModels.randomWeights(model.parameterSpecs(), 31);
        OnnxExporter.export(config, weights, null, dir);
        int[] source = {5, 9, 3, 7, 11};
        try (OnnxSeq2SeqModel onnx = OnnxSeq2SeqModel.open(dir);
             InferenceEngine cpu = CpuReference.open();
             LoadedWeights w = cpu.load(weights)) {
            Seq2SeqGenerator want = new Seq2SeqGenerator(model, cpu.inferenceOps(), w, BOS, EOS);
            Seq2SeqGenerator got = new Seq2SeqGenerator(onnx, BOS, EOS);
            for (GenerationOptions o : List.of(GenerationOptions.greedy(12), GenerationOptions.sampling(12, 1f, 0, 7L))) {
                int[] cpuTokens = want.generate(source, o);
                assertTrue(cpuTokens.length > 0, "a non-empty target, else the comparison is weak");
                assertArrayEquals(cpuTokens, got.generate(source, o), "temperature " + o.temperature());
            }
            BeamSearchOptions beam = BeamSearchOptions.of(3, 12, Set.of()).withNBest(3);
            List<Hypothesis> cpuBeams = want.beamSearch(source, beam);
            List<Hypothesis> onnxBeams = got.beamSearch(source, beam);
            assertEquals(cpuBeams.size(), onnxBeams.size());
            for (int i = 0; i < cpuBeams.size(); i++) {
                assertArrayEquals(cpuBeams.get(i).tokens(), onnxBeams.get(i).tokens(), "hypothesis " + i);
                assertEquals(cpuBeams.get(i).logProb(), onnxBeams.get(i).logProb(), 1e-3, "hypothesis " + i);
            }
            var e = assertThrows(IllegalArgumentException.class, () -> got.generate(source, GenerationOptions.greedy(13)));
            assertTrue(e.getMessage().contains("maxNewTokens 13 exceeds"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> new Seq2SeqGenerator(onnx, BOS, config.vocabSize()));
        }
    }
}
