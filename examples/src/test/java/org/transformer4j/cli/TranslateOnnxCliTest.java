package org.transformer4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.transformer4j.conformance.fixtures.TinyModels;
import org.transformer4j.model.ModelDirectory;
import org.transformer4j.model.Seq2SeqConfig;
import org.transformer4j.model.Seq2SeqModel;
import org.transformer4j.tokenizer.CharTokenizer;
import org.transformer4j.tokenizer.Tokenizer;

/** {@code translate} on an exported encoder-decoder runs ONNX Runtime and prints what the cpu backend prints. */
class TranslateOnnxCliTest {

    @Test
    void greedyAndBeamTranslationsThroughOnnxEqualCpu(@TempDir Path tmp) throws Exception {
        CharTokenizer tokenizer = CharTokenizer.fromText("0123456789-. abcdefghij",
                List.of(Tokenizer.PAD, Tokenizer.BOS, Tokenizer.EOS));
        Seq2SeqConfig config = Seq2SeqConfig.builder().vocabSize(tokenizer.vocabSize()).contextLength(12).encoderLayers(2)
                .decoderLayers(2).heads(2).embeddingDim(16).dropout(0f).build();
        Path model = tmp.resolve("model");
        Path exported = tmp.resolve("onnx");
        new ModelDirectory(config, TinyModels.randomWeights(new Seq2SeqModel(config).parameterSpecs(), 3), tokenizer)
                .save(model);
        CliOutput.ok("export", "--model", model.toString(), "--out", exported.toString());
        assertTrue(Files.isRegularFile(exported.resolve("encoder.onnx")) && !Files.exists(exported.resolve("config.json")));
        Path lines = tmp.resolve("in.txt");
        Files.writeString(lines, "12.3.2004\n\nabc 7\n9-9-9 jj\n");

        String cpu = CliOutput.ok("translate", "--model", model.toString(), "--input", lines.toString(), "--backend", "cpu",
                "--threads", "1");
        String onnx = CliOutput.ok("translate", "--model", exported.toString(), "--input", lines.toString(), "--threads", "1");
        assertEquals(4, cpu.split("\n", -1).length - 1, "one output line per input line: " + cpu);
        assertTrue(cpu.replace("\n", "").length() > 6, "some translated text, else the comparison is weak: " + cpu);
        assertEquals(cpu, onnx);

        String cpuBeam = CliOutput.ok("translate", "--model", model.toString(), "--input", lines.toString(), "--beam", "3",
                "--backend", "cpu", "--threads", "1");
        String onnxBeam = CliOutput.ok("translate", "--model", exported.toString(), "--input", lines.toString(), "--beam", "3",
                "--backend", "onnx", "--threads", "1");
        assertEquals(cpuBeam, onnxBeam);
    }

    @Test
    void onnxOnADirectoryWithoutEncoderOnnxSaysToExport(@TempDir Path tmp) {
        CliOutput.Run r = CliOutput.run("translate", "--model", tmp.toString(), "--backend", "onnx", "--input", "x");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("nothing backend 'onnx' can serve"), r.err());
    }
}
