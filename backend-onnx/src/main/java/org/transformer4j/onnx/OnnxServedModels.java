package org.transformer4j.onnx;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.transformer4j.conformance.ModelServer;
import org.transformer4j.generate.TargetGenerator;
import org.transformer4j.generate.TokenGenerator;
import org.transformer4j.io.TempDirectories;
import org.transformer4j.model.GptConfig;
import org.transformer4j.model.Seq2SeqConfig;
import org.transformer4j.onnx.export.OnnxExporter;
import org.transformer4j.tensor.HostTensor;

/**
 * The onnx engine's {@link ModelServer}: exports the config and weights to a temporary directory with
 * {@link OnnxExporter}, opens the files as users do ({@link OnnxModel#open}, {@link OnnxSeq2SeqModel#open}, with the
 * engine's device and threads), and deletes the directory when the served model is closed.
 */
final class OnnxServedModels {
    private OnnxServedModels() {
    }

    static ModelServer.ServedGpt gpt(OnnxOptions options, GptConfig config, Map<String, HostTensor> weights)
            throws IOException {
        Path dir = export(config, weights);
        try {
            return new Gpt(OnnxModel.open(dir, options), dir);
        } catch (IOException | RuntimeException e) {
            TempDirectories.deleteQuietly(dir);
            throw e;
        }
    }

    static ModelServer.ServedSeq2Seq seq2seq(OnnxOptions options, Seq2SeqConfig config, Map<String, HostTensor> weights)
            throws IOException {
        Path dir = export(config, weights);
        try {
            return new Seq2Seq(OnnxSeq2SeqModel.open(dir, options), dir);
        } catch (IOException | RuntimeException e) {
            TempDirectories.deleteQuietly(dir);
            throw e;
        }
    }

    private static Path export(org.transformer4j.model.ModelConfig config, Map<String, HostTensor> weights)
            throws IOException {
        Path dir = Files.createTempDirectory("transformer4j-onnx-");
        try {
            OnnxExporter.export(config, weights, null, dir);
            return dir;
        } catch (IOException | RuntimeException e) {
            TempDirectories.deleteQuietly(dir);
            throw e;
        }
    }

    private record Gpt(OnnxModel model, Path dir) implements ModelServer.ServedGpt {
        @Override
        public HostTensor logits(int[][] ids, int[][] positionIds, int[][] mask) {
            return positionIds == null ? model.logits(ids, mask) : model.logits(ids, positionIds, mask);
        }

        @Override
        public ModelServer.Incremental incremental(int batch) {
            OnnxKvCache cache = model.newCache(batch);
            return new Cached(ids -> model.step(ids, cache), cache);
        }

        @Override
        public TokenGenerator generator() {
            return new OnnxGptGenerator(model);
        }

        @Override
        public void close() {
            try {
                model.close();
            } finally {
                TempDirectories.deleteQuietly(dir);
            }
        }
    }

    private record Seq2Seq(OnnxSeq2SeqModel model, Path dir) implements ModelServer.ServedSeq2Seq {
        @Override
        public HostTensor encode(int[][] srcIds, int[][] srcMask) {
            return model.encode(srcIds, srcMask);
        }

        @Override
        public HostTensor decode(int[][] tgtIds, HostTensor memory, int[][] srcMask) {
            return model.decode(tgtIds, memory, srcMask, null);
        }

        @Override
        public ModelServer.Incremental incremental(HostTensor memory, int[][] srcMask) {
            OnnxKvCache cache = model.newCache(memory.shape().dim(0));
            return new Cached(ids -> model.decode(ids, memory, srcMask, cache), cache);
        }

        @Override
        public TargetGenerator generator(int bos, int eos) {
            return new OnnxSeq2SeqGenerator(model, bos, eos);
        }

        @Override
        public void close() {
            try {
                model.close();
            } finally {
                TempDirectories.deleteQuietly(dir);
            }
        }
    }

    private record Cached(java.util.function.Function<int[][], HostTensor> next, OnnxKvCache cache)
            implements ModelServer.Incremental {
        @Override
        public HostTensor next(int[][] ids) {
            return next.apply(ids);
        }

        @Override
        public void close() {
            cache.close();
        }
    }
}
