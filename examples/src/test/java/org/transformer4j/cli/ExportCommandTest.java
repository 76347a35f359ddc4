package org.transformer4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.transformer4j.model.GptConfig;
import org.transformer4j.model.GptModel;
import org.transformer4j.model.LlamaConfig;
import org.transformer4j.model.LlamaModel;
import org.transformer4j.model.ModelDirectory;
import org.transformer4j.model.Seq2SeqConfig;
import org.transformer4j.model.Seq2SeqModel;
import org.transformer4j.nn.Initializer;
import org.transformer4j.onnx.OnnxModel;
import org.transformer4j.tokenizer.CharTokenizer;

/** {@code export --model DIR --out DIR} writes ONNX files that ONNX Runtime serves with the directory's config. */
class ExportCommandTest {

    @Test
    void exportsAGptDirectory(@TempDir Path tmp) throws Exception {
        CharTokenizer tokenizer = CharTokenizer.fromText("hello world");
        GptConfig config = GptConfig.builder().vocabSize(tokenizer.vocabSize()).contextLength(8).layers(1).heads(2)
                .embeddingDim(8).build();
        Path model = tmp.resolve("model");
        new ModelDirectory(config, Initializer.initialize(new GptModel(config).parameterSpecs(), 1), tokenizer).save(model);
        Path out = tmp.resolve("onnx");
        assertEquals(0, Transformer4jCli.execute("export", "--model", model.toString(), "--out", out.toString()));
        try (OnnxModel onnx = OnnxModel.open(out.resolve("model.onnx"))) {
            assertEquals(config, onnx.config());
            assertEquals(tokenizer.toJson(), onnx.tokenizer().orElseThrow().toJson());
        }
    }

    @Test
    void exportsAnEncoderDecoderDirectory(@TempDir Path tmp) throws Exception {
        CharTokenizer tokenizer = CharTokenizer.fromText("0123456789-");
        Seq2SeqConfig config = Seq2SeqConfig.builder().vocabSize(tokenizer.vocabSize()).contextLength(8).encoderLayers(1)
                .decoderLayers(1).heads(2).embeddingDim(8).build();
        Path model = tmp.resolve("model");
        new ModelDirectory(config, Initializer.initialize(new Seq2SeqModel(config).parameterSpecs(), 1), tokenizer).save(model);
        Path out = tmp.resolve("onnx");
        assertEquals(0, Transformer4jCli.execute("export", "--model", model.toString(), "--out", out.toString()));
        assertTrue(Files.isRegularFile(out.resolve("encoder.onnx")));
        assertTrue(Files.isRegularFile(out.resolve("decoder.onnx")));
    }

    @Test
    void exportsALlamaDirectoryAndChecksItAgainstCpu(@TempDir Path tmp) throws Exception {
        CharTokenizer tokenizer = CharTokenizer.fromText("hello llama");
        LlamaConfig config = LlamaConfig.builder().vocabSize(tokenizer.vocabSize()).hiddenSize(16).intermediateSize(24)
                .layers(2).heads(4).kvHeads(2).headDim(4).maxPositionEmbeddings(16).build();
        Path model = tmp.resolve("model");
        new ModelDirectory(config, Initializer.initialize(new LlamaModel(config).parameterSpecs(), 1), tokenizer).save(model);
        Path out = tmp.resolve("onnx");
        assertEquals(0, Transformer4jCli.execute("export", "--model", model.toString(), "--out", out.toString()));
        try (OnnxModel onnx = OnnxModel.open(out)) {
            assertEquals(config, onnx.config());
        }
    }

    @Test
    void aMissingModelDirectoryFails(@TempDir Path tmp) {
        assertEquals(1, Transformer4jCli.execute("export", "--model", tmp.resolve("nope").toString(),
                "--out", tmp.resolve("out").toString()));
    }
}
