package org.transformer4j.examples.translate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.transformer4j.backend.Backends;
import org.transformer4j.backend.InferenceEngine;
import org.transformer4j.backend.EngineOptions;
import org.transformer4j.backend.LoadedWeights;
import org.transformer4j.conformance.fixtures.TinyModels;
import org.transformer4j.generate.TokenSampler;
import org.transformer4j.model.Seq2SeqConfig;
import org.transformer4j.model.Seq2SeqModel;
import org.transformer4j.tensor.HostTensor;
import org.transformer4j.tensor.Shape;
import org.transformer4j.tensor.Tensor;
import org.transformer4j.tokenizer.CharTokenizer;
import org.transformer4j.tokenizer.Tokenizer;

class GreedyTranslatorTest {
    private static final CharTokenizer TOK = CharTokenizer.fromText("abcdefgh 0123456789-",
            List.of(Tokenizer.PAD, Tokenizer.BOS, Tokenizer.EOS));

    /**
     * The batched, cached greedy decoder against the plainest possible one: for one source, re-run the whole
     * decoder on {@code <bos>} + everything so far (no cache, no padding) and take the argmax of the last row.
     */
    @Test
    void batchedCachedDecodingEqualsFullRecomputationOneSourceAtATime() {
        Seq2SeqConfig config = Seq2SeqConfig.builder().vocabSize(TOK.vocabSize()).contextLength(12).encoderLayers(2)
                .decoderLayers(2).heads(2).embeddingDim(16).dropout(0f).build();
        Seq2SeqModel model = new Seq2SeqModel(config);
        int eos = TOK.eosId().getAsInt();
        try (InferenceEngine engine = Backends.openInference("cpu", new EngineOptions(1, null, 0));
             LoadedWeights w = engine.load(TinyModels.randomWeights(model.parameterSpecs(), 3))) {
            GreedyTranslator translator = new GreedyTranslator(model, engine, w, TOK);
            List<String> sources = List.of("abc", "2001-02-03 h", "g", "feb 9", "hh hh hh hh");
            List<int[]> encoded = new ArrayList<>();
            sources.forEach(s -> encoded.add(TOK.encode(s, false)));
            List<int[]> batched = translator.translateIds(encoded);
            for (int i = 0; i < sources.size(); i++) {
                int[] expected = reference(model, engine, w, encoded.get(i), eos);
                assertArrayEquals(expected, batched.get(i), "source " + i + " '" + sources.get(i) + "'");
                assertEquals(TOK.decode(expected), translator.translate(sources.get(i)));
            }
            assertEquals(sources.stream().map(translator::translate).toList(), translator.translate(sources, 2));
            // the library's beam search at width 1 is greedy decoding, written independently
            BeamTranslator beam1 = new BeamTranslator(model, engine, w, TOK, 1, 0.0);
            assertEquals(translator.translate(sources, 5), beam1.translate(sources, 5));
            BeamTranslator beam3 = new BeamTranslator(model, engine, w, TOK, 3, 0.6);
            assertEquals(sources.size(), beam3.translate(sources, 5).size());
            var tooLong = assertThrows(IllegalArgumentException.class, () -> translator.translate("a".repeat(13)));
            assertTrue(tooLong.getMessage().contains("13 tokens"), tooLong.getMessage());
            assertThrows(IllegalArgumentException.class, () -> translator.translate("xyz"));
            assertThrows(IllegalArgumentException.class, () -> translator.translate(""));
        }
    }

    private static int[] reference(Seq2SeqModel model, InferenceEngine engine, LoadedWeights w, int[] src, int eos) {
        var ops = engine.inferenceOps();
        int ctx = model.config().contextLength();
        int vocab = model.config().vocabSize();
        List<Integer> out = new ArrayList<>();
        try (Tensor ids = ops.constant(HostTensor.ofInts(Shape.of(1, src.length), src));
             Tensor memory = model.encode(ops, w, ids, null)) {
            while (out.size() < ctx) {
                int[] in = new int[out.size() + 1];
                in[0] = TOK.bosId().getAsInt();
                for (int i = 0; i < out.size(); i++) {
                    in[i + 1] = out.get(i);
                }
                float[] logits;
                try (Tensor t = ops.constant(HostTensor.ofInts(Shape.of(1, in.length), in));
                     Tensor l = model.decode(ops, w, t, memory, null, null)) {
                    logits = l.toFloatArray();
                }
                int next = TokenSampler.argmax(logits, (in.length - 1) * vocab, vocab);
                if (next == eos) {
                    break;
                }
                out.add(next);
            }
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }
}
