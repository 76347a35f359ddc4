package org.transformer4j.generate;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.transformer4j.nn.Activation;
import org.transformer4j.model.GptConfig;
import org.transformer4j.model.GptModel;
import org.transformer4j.nn.NormPlacement;
import org.transformer4j.nn.PositionalEncodingType;
import org.transformer4j.model.Seq2SeqConfig;
import org.transformer4j.model.Seq2SeqModel;
import org.transformer4j.nn.Initializer;
import org.transformer4j.nn.ParameterSpec;
import org.transformer4j.nn.Parameters;
import org.transformer4j.tensor.HostTensor;
import org.transformer4j.testing.ReferenceEngine;
import org.transformer4j.testing.ReferenceOps;

/**
 * Tiny random models on the scalar reference backend for the decoding tests. Weights come from
 * {@link Initializer#initialize}; the normally initialized ones are then multiplied by {@link #WEIGHT_GAIN} so that
 * the logits spread over several units (with GPT-2's 0.02 init all tokens are nearly equally likely, which would
 * make rankings hinge on rounding noise and hide position or cache mistakes).
 */
final class TinyModels {
    static final float WEIGHT_GAIN = 15f;
    static final ReferenceOps OPS = new ReferenceOps();

    private TinyModels() {
    }

    static GptModel gpt(int vocab, int context, NormPlacement norm, PositionalEncodingType positions) {
        return new GptModel(GptConfig.builder().vocabSize(vocab).contextLength(context).layers(2).heads(2)
                .embeddingDim(8).feedForwardDim(16).bias(true).tiedEmbeddings(false).normPlacement(norm)
                .positionalEncoding(positions).activation(Activation.GELU).build());
    }

    static Seq2SeqModel seq2seq(int vocab, int context, NormPlacement norm, PositionalEncodingType positions) {
        return new Seq2SeqModel(Seq2SeqConfig.builder().vocabSize(vocab).contextLength(context).encoderLayers(2)
                .decoderLayers(2).heads(2).embeddingDim(8).feedForwardDim(16).bias(true).tiedEmbeddings(false)
                .normPlacement(norm).positionalEncoding(positions).activation(Activation.RELU).build());
    }

    /** Scaled initial weights of {@code specs} loaded into the reference engine. */
    static Parameters weights(List<ParameterSpec> specs, long seed) {
        Map<String, HostTensor> init = Initializer.initialize(specs, seed);
        Map<String, HostTensor> scaled = new LinkedHashMap<>();
        for (ParameterSpec spec : specs) {
            float[] v = init.get(spec.name()).floats().clone();
            if (spec.init() == ParameterSpec.Init.NORMAL) {
                for (int i = 0; i < v.length; i++) {
                    v[i] *= WEIGHT_GAIN;
                }
            }
            scaled.put(spec.name(), HostTensor.ofFloats(spec.shape(), v));
        }
        return new ReferenceEngine().load(scaled);
    }
}
