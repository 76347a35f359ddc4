package org.transformer4j.onnx;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.transformer4j.backend.Engine;
import org.transformer4j.backend.EngineOptions;
import org.transformer4j.cpu.CpuBackend;
import org.transformer4j.model.Activation;
import org.transformer4j.model.GptConfig;
import org.transformer4j.model.NormPlacement;
import org.transformer4j.model.PositionalEncodingType;
import org.transformer4j.model.Seq2SeqConfig;
import org.transformer4j.nn.ParameterSpec;
import org.transformer4j.tensor.HostTensor;

/** Tiny models with random weights (every weight, biases and norms included) for the ONNX tests. */
final class TinyModels {
    private TinyModels() {
    }

    /** GPT-2 style: pre-LN, learned positions, GELU, biases, untied head. */
    static GptConfig preLnLearnedGelu() {
        return GptConfig.builder().vocabSize(23).contextLength(16).layers(2).heads(2).embeddingDim(16)
                .feedForwardDim(24).dropout(0f).bias(true).tiedEmbeddings(false)
                .positionalEncoding(PositionalEncodingType.LEARNED).normPlacement(NormPlacement.PRE)
                .activation(Activation.GELU).build();
    }

    /** The original paper's style: post-LN, sinusoidal positions, ReLU, no biases, tied head. */
    static GptConfig postLnSinusoidalRelu() {
        return GptConfig.builder().vocabSize(19).contextLength(12).layers(2).heads(4).embeddingDim(16)
                .feedForwardDim(32).dropout(0f).bias(false).tiedEmbeddings(true)
                .positionalEncoding(PositionalEncodingType.SINUSOIDAL).normPlacement(NormPlacement.POST)
                .activation(Activation.RELU).build();
    }

    /** A tiny encoder-decoder: post-LN, sinusoidal, ReLU, biases, untied head. */
    static Seq2SeqConfig seq2seq() {
        return Seq2SeqConfig.builder().vocabSize(21).contextLength(12).encoderLayers(2).decoderLayers(2).heads(2)
                .embeddingDim(16).feedForwardDim(24).dropout(0f).bias(true).tiedEmbeddings(false)
                .positionalEncoding(PositionalEncodingType.SINUSOIDAL).normPlacement(NormPlacement.POST)
                .activation(Activation.RELU).build();
    }

    /** Every weight N(0, 0.3²) plus its init value (so norms stay near 1), seeded. */
    static Map<String, HostTensor> randomWeights(List<ParameterSpec> specs, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        Map<String, HostTensor> out = new LinkedHashMap<>();
        for (ParameterSpec s : specs) {
            float[] v = new float[s.shape().size()];
            float base = s.init() == ParameterSpec.Init.ONES ? 1f : 0f;
            for (int i = 0; i < v.length; i++) {
                v[i] = base + (float) (gaussian(r) * 0.3);
            }
            out.put(s.name(), HostTensor.ofFloats(s.shape(), v));
        }
        return out;
    }

    private static double gaussian(SplittableRandom r) {
        double u = 1 - r.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r.nextDouble());
    }

    /** The reference engine: backend-cpu with one thread. */
    static org.transformer4j.backend.TrainingEngine cpu() {
        return new CpuBackend().open(EngineOptions.defaults().withThreads(1));
    }

    /** Random ids {@code [rows, cols]} in {@code [0, vocab)}. */
    static int[][] ids(int rows, int cols, int vocab, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int[][] ids = new int[rows][cols];
        for (int[] row : ids) {
            for (int j = 0; j < cols; j++) {
                row[j] = r.nextInt(vocab);
            }
        }
        return ids;
    }

    /** Flattens rows into one row-major array. */
    static int[] flat(int[][] rows) {
        int n = 0;
        for (int[] row : rows) {
            n += row.length;
        }
        int[] out = new int[n];
        int i = 0;
        for (int[] row : rows) {
            System.arraycopy(row, 0, out, i, row.length);
            i += row.length;
        }
        return out;
    }
}
