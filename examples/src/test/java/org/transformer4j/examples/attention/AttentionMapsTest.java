package org.transformer4j.examples.attention;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.transformer4j.backend.Backends;
import org.transformer4j.backend.InferenceEngine;
import org.transformer4j.backend.EngineOptions;
import org.transformer4j.backend.LoadedWeights;
import org.transformer4j.conformance.fixtures.TinyModels;
import org.transformer4j.model.GptConfig;
import org.transformer4j.model.GptModel;
import org.transformer4j.nn.NormPlacement;
import org.transformer4j.nn.PositionalEncodingType;
import org.transformer4j.model.Seq2SeqConfig;
import org.transformer4j.model.Seq2SeqModel;
import org.transformer4j.tensor.HostTensor;
import org.transformer4j.tensor.Shape;
import org.transformer4j.tokenizer.CharTokenizer;
import org.transformer4j.tokenizer.Tokenizer;

class AttentionMapsTest {
    private static final CharTokenizer TOK = CharTokenizer.fromText("abcdefgh 0123456789-",
            List.of(Tokenizer.PAD, Tokenizer.BOS, Tokenizer.EOS));
    private static InferenceEngine engine;

    @BeforeAll
    static void open() {
        engine = Backends.openInference("cpu", new EngineOptions(1, null, 0));
    }

    @AfterAll
    static void close() {
        engine.close();
    }

    @Test
    void gptSelfAttentionMatchesAScalarReferenceAndIsCausal() {
        int c = 8;
        int heads = 2;
        GptConfig config = GptConfig.builder().vocabSize(TOK.vocabSize()).contextLength(16).layers(2).heads(heads)
                .embeddingDim(c).bias(true).dropout(0f).positionalEncoding(PositionalEncodingType.LEARNED)
                .normPlacement(NormPlacement.PRE).build();
        Map<String, HostTensor> w = TinyModels.randomWeights(new GptModel(config).parameterSpecs(), 5);
        String text = "bad cafe 42";
        int[] ids = TOK.encode(text);
        int t = ids.length;
        try (LoadedWeights loaded = engine.load(w)) {
            for (int head = 0; head < heads; head++) {
                AttentionMap map = AttentionMaps.compute(config, loaded, TOK, engine, text, null, AttentionKind.SELF, 0, head);
                double[][] expected = referenceLayer0(w, ids, c, heads, head);
                assertEquals(t, map.weights().length);
                assertEquals(List.of("b", "a", "d", "\u2423", "c", "a", "f", "e", "\u2423", "4", "2"), map.rowLabels());
                for (int i = 0; i < t; i++) {
                    double sum = 0;
                    for (int j = 0; j < t; j++) {
                        assertEquals(expected[i][j], map.weights()[i][j], 1e-5, "head " + head + " query " + i + " key " + j);
                        if (j > i) {
                            assertEquals(0f, map.weights()[i][j], "causal: query " + i + " must not see key " + j);
                        }
                        sum += map.weights()[i][j];
                    }
                    assertEquals(1.0, sum, 1e-5, "row " + i + " sums to 1");
                }
            }
            // layer 1 exists too and is causal
            float[][] l1 = AttentionMaps.compute(config, loaded, TOK, engine, text, null, AttentionKind.SELF, 1, 1).weights();
            assertEquals(0f, l1[0][1]);
            assertEquals(1f, l1[0][0], 1e-6);
            assertThrows(IllegalArgumentException.class,
                    () -> AttentionMaps.compute(config, loaded, TOK, engine, text, null, AttentionKind.SELF, 2, 0));
            assertThrows(IllegalArgumentException.class,
                    () -> AttentionMaps.compute(config, loaded, TOK, engine, text, null, AttentionKind.SELF, 0, 2));
            assertThrows(IllegalArgumentException.class,
                    () -> AttentionMaps.compute(config, loaded, TOK, engine, text, null, AttentionKind.CROSS, 0, 0));
        }
    }

    /** softmax(q kᵀ / sqrt(d)) of layer 0 written out from the weights: embeddings, ln_1, c_attn, causal mask. */
    private static double[][] referenceLayer0(Map<String, HostTensor> w, int[] ids, int c, int heads, int head) {
        int t = ids.length;
        float[] wte = w.get("transformer.wte.weight").floats();
        float[] wpe = w.get("transformer.wpe.weight").floats();
        float[] g = w.get("transformer.h.0.ln_1.weight").floats();
        float[] b = w.get("transformer.h.0.ln_1.bias").floats();
        float[] attnW = w.get("transformer.h.0.attn.c_attn.weight").floats();
        float[] attnB = w.get("transformer.h.0.attn.c_attn.bias").floats();
        double[][] q = new double[t][c];
        double[][] k = new double[t][c];
        for (int p = 0; p < t; p++) {
            double[] x = new double[c];
            double mean = 0;
            for (int e = 0; e < c; e++) {
                x[e] = wte[ids[p] * c + e] + wpe[p * c + e];
                mean += x[e] / c;
            }
            double var = 0;
            for (int e = 0; e < c; e++) {
                var += (x[e] - mean) * (x[e] - mean) / c;
            }
            double[] h = new double[c];
            for (int e = 0; e < c; e++) {
                h[e] = (x[e] - mean) / Math.sqrt(var + 1e-5) * g[e] + b[e];
            }
            for (int o = 0; o < 2 * c; o++) {
                double s = attnB[o];
                for (int e = 0; e < c; e++) {
                    s += attnW[o * c + e] * h[e];
                }
                if (o < c) {
                    q[p][o] = s;
                } else {
                    k[p][o - c] = s;
                }
            }
        }
        int d = c / heads;
        double[][] out = new double[t][t];
        for (int i = 0; i < t; i++) {
            double[] s = new double[i + 1];
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j <= i; j++) {
                for (int e = 0; e < d; e++) {
                    s[j] += q[i][head * d + e] * k[j][head * d + e];
                }
                s[j] /= Math.sqrt(d);
                max = Math.max(max, s[j]);
            }
            double z = 0;
            for (int j = 0; j <= i; j++) {
                z += Math.exp(s[j] - max);
            }
            for (int j = 0; j <= i; j++) {
                out[i][j] = Math.exp(s[j] - max) / z;
            }
        }
        return out;
    }

    @Test
    void encoderDecoderMapsHaveTheRightShapesRowsSumToOneAndTheDecoderIsCausal() {
        Seq2SeqConfig config = Seq2SeqConfig.builder().vocabSize(TOK.vocabSize()).contextLength(20).encoderLayers(1)
                .decoderLayers(2).heads(2).embeddingDim(8).dropout(0f).build();
        Map<String, HostTensor> w = TinyModels.randomWeights(new Seq2SeqModel(config).parameterSpecs(), 9);
        String source = "feb 3 2001";
        String target = "2001-02-03";
        try (LoadedWeights loaded = engine.load(w)) {
            AttentionMap enc = AttentionMaps.compute(config, loaded, TOK, engine, source, target, AttentionKind.ENCODER, 0, 1);
            AttentionMap dec = AttentionMaps.compute(config, loaded, TOK, engine, source, target, AttentionKind.DECODER, 1, 0);
            AttentionMap cross = AttentionMaps.compute(config, loaded, TOK, engine, source, target, AttentionKind.CROSS, 1, 1);
            assertShape(enc, 10, 10);
            assertShape(dec, 11, 11);
            assertShape(cross, 11, 10);
            assertEquals("<bos>", dec.rowLabels().getFirst());
            assertEquals("<eos>", cross.rowLabels().getLast());
            assertEquals("2", cross.rowLabels().getFirst());
            assertEquals("f", cross.colLabels().getFirst());
            boolean encoderSeesTheFuture = false;
            for (int i = 0; i < 11; i++) {
                for (int j = i + 1; j < 11; j++) {
                    assertEquals(0f, dec.weights()[i][j], "decoder query " + i + " must not see key " + j);
                }
            }
            for (int i = 0; i < 10; i++) {
                encoderSeesTheFuture |= enc.weights()[0][i + (i < 9 ? 1 : 0)] > 0;
            }
            assertTrue(encoderSeesTheFuture, "the encoder is not causal");
            // without a target the greedy translation is used: rows = its tokens + <eos>
            AttentionMap auto = AttentionMaps.compute(config, loaded, TOK, engine, source, null, AttentionKind.CROSS, 0, 0);
            assertTrue(auto.rowLabels().getLast().equals("<eos>"), "the last output row is the <eos> step");
            assertTrue(auto.rowLabels().size() <= 20, "at most the context");
            assertEquals(1, auto.rowLabels().stream().filter("<eos>"::equals).count(), "<eos> only at the end");
            assertThrows(IllegalArgumentException.class,
                    () -> AttentionMaps.compute(config, loaded, TOK, engine, source, target, AttentionKind.DECODER, 2, 0));
        }
    }

    private static void assertShape(AttentionMap m, int rows, int cols) {
        assertEquals(rows, m.weights().length);
        assertEquals(rows, m.rowLabels().size());
        assertEquals(cols, m.colLabels().size());
        for (float[] row : m.weights()) {
            assertEquals(cols, row.length);
            double sum = 0;
            for (float v : row) {
                assertTrue(v >= 0 && v <= 1);
                sum += v;
            }
            assertEquals(1.0, sum, 1e-5);
        }
    }

    @Test
    void recordedWeightsLeavePaddedKeysOutAndHandComputedCaseHolds() {
        // one head, d = 2, two batch rows; row 1's last key is padding
        float[] q = {1, 0, 0, 1, /* row 1 */ 1, 1, 0, 0};
        float[] k = {1, 0, 0, 1, 2, 2, /* row 1 */ 1, 0, 0, 1, 5, 5};
        RecordedAttention a = new RecordedAttention(Shape.of(2, 2, 2), q, Shape.of(2, 3, 2), k, 1, false,
                new int[] {1, 1, 1, 1, 1, 0});
        float[][] row0 = a.weights(0, 0);
        // query (1,0): scores 1, 0, 2 over sqrt(2)
        double s = Math.sqrt(2);
        double z = Math.exp(1 / s) + Math.exp(0) + Math.exp(2 / s);
        assertEquals(Math.exp(1 / s) / z, row0[0][0], 1e-6);
        assertEquals(1 / z, row0[0][1], 1e-6);
        assertEquals(Math.exp(2 / s) / z, row0[0][2], 1e-6);
        float[][] row1 = a.weights(1, 0);
        assertEquals(0f, row1[0][2], "padding gets no weight");
        assertEquals(0.5, row1[1][0], 1e-6, "query (0,0) spreads evenly over the two real keys");
        assertEquals(0.5, row1[1][1], 1e-6);
        assertThrows(IllegalArgumentException.class, () -> a.weights(2, 0));
        assertThrows(IllegalArgumentException.class, () -> a.weights(0, 1));
    }
}
