package org.transformer4j.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.transformer4j.conformance.fixtures.TinyModels.ODD;

import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.transformer4j.conformance.fixtures.TinyModels;
import org.transformer4j.io.CheckpointFormatException;
import org.transformer4j.model.GptConfig;
import org.transformer4j.model.GptModel;
import org.transformer4j.model.Seq2SeqConfig;
import org.transformer4j.model.Seq2SeqModel;
import org.transformer4j.onnx.export.OnnxExporter;
import org.transformer4j.tensor.HostTensor;
import org.transformer4j.tokenizer.CharTokenizer;
import org.transformer4j.tokenizer.Tokenizer;

/** What the files carry (config, tokenizer) and the errors for files that cannot be served. */
class OnnxModelFilesTest {

    @Test
    void aFileThatIsNotOnnxFailsClearly(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("model.onnx");
        Files.writeString(file, "this is not a protobuf, let alone an ONNX model");
        CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> OnnxModel.open(file));
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("cannot load it as an ONNX model"), e.getMessage());
    }

    @Test
    void aMissingFileFailsNamingIt(@TempDir Path dir) {
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> OnnxModel.open(dir));
        assertTrue(e.getMessage().contains("model.onnx"), e.getMessage());
    }

    @Test
    void theConfigAndTokenizerTravelInTheFile(@TempDir Path dir) throws Exception {
        Tokenizer tokenizer = CharTokenizer.fromText("fish and chips");
        GptConfig config = TinyModels.gptPostLn(ODD).build();
        assertTrue(tokenizer.vocabSize() <= config.vocabSize());
        Map<String, HostTensor> weights = TinyModels.randomWeights(new GptModel(config).parameterSpecs(), 3);
        OnnxExporter.export(config, weights, tokenizer, dir);
        try (OnnxModel onnx = OnnxModel.open(dir.resolve("model.onnx"))) {
            assertEquals(config, onnx.config());
            Tokenizer back = onnx.tokenizer().orElseThrow();
            assertEquals(tokenizer.toJson(), back.toJson());
            assertEquals("fish", back.decode(back.encode("fish")));
        }
    }

    @Test
    void anEncoderFileIsNotAGpt(@TempDir Path dir) throws Exception {
        Seq2SeqConfig config = TinyModels.seq2seqPostLn(ODD).build();
        OnnxExporter.export(config, TinyModels.randomWeights(new Seq2SeqModel(config).parameterSpecs(), 1), null, dir);
        CheckpointFormatException e = assertThrows(CheckpointFormatException.class,
                () -> OnnxModel.open(dir.resolve("encoder.onnx")));
        assertTrue(e.getMessage().contains("holds the encoder graph"), e.getMessage());
    }
}
