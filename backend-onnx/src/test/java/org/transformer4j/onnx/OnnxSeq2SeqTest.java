package org.transformer4j.onnx;

import org.transformer4j.backend.InferenceEngine;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.transformer4j.conformance.fixtures.TinyModels.ODD;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.transformer4j.backend.Engine;
import org.transformer4j.backend.LoadedWeights;
import org.transformer4j.conformance.fixtures.TinyModels;
import org.transformer4j.model.Seq2SeqConfig;
import org.transformer4j.model.Seq2SeqModel;
import org.transformer4j.onnx.export.OnnxExporter;
import org.transformer4j.tensor.HostTensor;
import org.transformer4j.tensor.Shape;
import org.transformer4j.tensor.Tensor;

/** An exported encoder-decoder gives backend-cpu's encoder output and decoder logits; incremental decoding agrees. */
class OnnxSeq2SeqTest {

    @Test
    void encoderAndDecoderMatchCpu(@TempDir Path dir) throws Exception {
        Seq2SeqConfig config = TinyModels.seq2seqPostLn(ODD).build();
        Seq2SeqModel model = new Seq2SeqModel(config);
        Map<String, HostTensor> weights = TinyModels.randomWeights(model.parameterSpecs(), 17);
        assertEquals(List.of(dir.resolve("encoder.onnx"), dir.resolve("decoder.onnx")),
                OnnxExporter.export(config, weights, null, dir));
        int vocab = config.vocabSize();
        int[][] src = TinyModels.ids(3, 7, vocab, 1);
        int[][] srcMask = {{1, 1, 1, 1, 1, 1, 1}, {1, 1, 1, 1, 1, 0, 0}, {1, 1, 1, 0, 0, 0, 0}};
        int[][] tgt = TinyModels.ids(3, 5, vocab, 2);
        try (OnnxSeq2SeqModel onnx = OnnxSeq2SeqModel.open(dir);
             InferenceEngine cpu = CpuReference.open();
             LoadedWeights w = cpu.load(weights)) {
            var ops = cpu.inferenceOps();
            float[] wantMemory;
            float[] wantLogits;
            try (Tensor s = ops.constant(HostTensor.ofInts(Shape.of(3, 7), TinyModels.flat(src)));
                 Tensor m = ops.constant(HostTensor.ofInts(Shape.of(3, 7), TinyModels.flat(srcMask)));
                 Tensor t = ops.constant(HostTensor.ofInts(Shape.of(3, 5), TinyModels.flat(tgt)));
                 Tensor memory = model.encode(ops, w, s, m);
                 Tensor logits = model.decode(ops, w, t, memory, m, null)) {
                wantMemory = memory.toFloatArray();
                wantLogits = logits.toFloatArray();
            }
            HostTensor memory = onnx.encoderOutput(src, srcMask);
            assertEquals(Shape.of(3, 7, config.embeddingDim()), memory.shape());
            OnnxGptLogitsTest.assertClose(wantMemory, memory.floats(), "encoder output");
            OnnxGptLogitsTest.assertClose(wantLogits, onnx.decode(tgt, memory, srcMask, null).floats(), "decoder logits");

            try (OnnxKvCache cache = onnx.newCache(3)) {
                int at = 0;
                for (int n : new int[] {2, 1, 2}) {
                    int[][] part = new int[3][];
                    for (int b = 0; b < 3; b++) {
                        part[b] = Arrays.copyOfRange(tgt[b], at, at + n);
                    }
                    float[] got = onnx.decode(part, memory, srcMask, cache).floats();
                    float[] want = new float[3 * n * vocab];
                    for (int b = 0; b < 3; b++) {
                        System.arraycopy(wantLogits, (b * 5 + at) * vocab, want, b * n * vocab, n * vocab);
                    }
                    OnnxGptLogitsTest.assertClose(want, got, "incremental decoder positions " + at + ".." + (at + n - 1));
                    at += n;
                }
            }
        }
    }
}
