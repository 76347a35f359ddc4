package org.transformer4j.onnx;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.transformer4j.conformance.fixtures.TinyModels.ODD;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.transformer4j.conformance.fixtures.TinyModels;
import org.transformer4j.io.CheckpointFormatException;
import org.transformer4j.model.GptConfig;
import org.transformer4j.model.GptModel;
import org.transformer4j.model.ModelConfigJson;
import org.transformer4j.model.Seq2SeqConfig;
import org.transformer4j.model.Seq2SeqModel;
import org.transformer4j.onnx.export.OnnxExporter;

/**
 * Files whose graph does not fit the model's config are refused when opened, with an error naming the file, the
 * input and what was expected. The bad files are made by exporting a good one and editing its protobuf.
 */
class OnnxGraphCheckTest {

    /** The GPT of {@link TinyModels#gptPreLn} with another vocabulary and depth. */
    private static GptConfig gpt(int vocab, int layers) {
        return TinyModels.gptPreLn(ODD).vocabSize(vocab).layers(layers).build();
    }

    /** Exports {@code config} into {@code dir} and returns the GPT file. */
    private static Path export(GptConfig config, Path dir) throws Exception {
        OnnxExporter.export(config, TinyModels.randomWeights(new GptModel(config).parameterSpecs(), 5), null, dir);
        return dir.resolve(OnnxNames.MODEL_FILE);
    }

    private static void edit(Path file, UnaryOperator<ModelProto.Builder> change) throws Exception {
        ModelProto m = ModelProto.parseFrom(Files.readAllBytes(file));
        Files.write(file, change.apply(m.toBuilder()).build().toByteArray());
    }

    /** The model with metadata {@code key} set to {@code value}. */
    private static ModelProto.Builder meta(ModelProto.Builder m, String key, String value) {
        for (int i = 0; i < m.getMetadataPropsCount(); i++) {
            if (m.getMetadataProps(i).getKey().equals(key)) {
                m.setMetadataProps(i, StringStringEntryProto.newBuilder().setKey(key).setValue(value));
            }
        }
        return m;
    }

    private static String refusal(Path file) {
        CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> OnnxModel.open(file));
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("export"), "the message says to export again: " + e.getMessage());
        return e.getMessage();
    }

    @Test
    void aFileExportedForAnotherVocabularyThanItsMetadataSaysIsRefused(@TempDir Path dir) throws Exception {
        Path file = export(gpt(23, 2), dir);
        edit(file, m -> meta(m, "transformer4j.config", ModelConfigJson.toJson(gpt(29, 2))));
        String message = refusal(file);
        assertTrue(message.contains("output 'logits' is float32 [?, ?, 23]"), message);
        assertTrue(message.contains("needs float32 [?, ?, 29]"), message);
    }

    @Test
    void aFileExportedForAnotherDepthMissesCacheInputs(@TempDir Path dir) throws Exception {
        Path file = export(gpt(23, 2), dir);
        edit(file, m -> meta(m, "transformer4j.config", ModelConfigJson.toJson(gpt(23, 3))));
        String message = refusal(file);
        assertTrue(message.contains("has no input 'past_key_values.2.key' (expected float32 [?, " + ODD.heads() + ", ?, "
                + ODD.width() / ODD.heads() + "]"), message);
    }

    @Test
    void aFileExportedForAnotherConfigThanTheDirectorysConfigJsonIsRefused(@TempDir Path dir) throws Exception {
        Path file = export(gpt(23, 2), dir);
        Files.writeString(dir.resolve("config.json"), ModelConfigJson.toJson(gpt(29, 2)));
        String message = refusal(file);
        assertTrue(message.contains("exported for another model than " + dir.resolve("config.json").toAbsolutePath()),
                message);
        OnnxModel.open(export(gpt(29, 2), dir)).close(); // the same config beside it is fine
    }

    @Test
    void aRenamedInputIsRefusedNamingTheMissingOne(@TempDir Path dir) throws Exception {
        Path file = export(gpt(23, 2), dir);
        edit(file, m -> {
            GraphProto.Builder g = m.getGraphBuilder();
            for (ValueInfoProto.Builder in : g.getInputBuilderList()) {
                if (in.getName().equals(OnnxNames.POSITION_IDS)) {
                    in.setName("positions");
                }
            }
            for (NodeProto.Builder n : g.getNodeBuilderList()) {
                for (int i = 0; i < n.getInputCount(); i++) {
                    if (n.getInput(i).equals(OnnxNames.POSITION_IDS)) {
                        n.setInput(i, "positions");
                    }
                }
            }
            return m;
        });
        String message = refusal(file);
        assertTrue(message.contains("has no input 'position_ids' (expected int64 [?, ?]"), message);
        assertTrue(message.contains("positions"), message);
    }

    @Test
    void anInputOfTheWrongRankOrTypeIsRefused(@TempDir Path dir) throws Exception {
        Path file = export(gpt(23, 2), dir);
        byte[] good = Files.readAllBytes(file);
        edit(file, m -> {
            TensorShapeProto.Builder shape = input(m, OnnxNames.ATTENTION_MASK).getTypeBuilder().getTensorTypeBuilder()
                    .getShapeBuilder();
            shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(1));
            return m;
        });
        String message = refusal(file);
        assertTrue(message.contains("input 'attention_mask' is int64 [?, ?, 1]"), message);
        assertTrue(message.contains("needs int64 [?, ?]"), message);

        Files.write(file, good);
        edit(file, m -> {
            input(m, OnnxNames.INPUT_IDS).getTypeBuilder().getTensorTypeBuilder()
                    .setElemType(TensorProto.DataType.INT32_VALUE);
            return m;
        });
        message = refusal(file);
        assertTrue(message.contains("input 'input_ids' is int32 [?, ?]"), message);
        assertTrue(message.contains("needs int64 [?, ?]"), message);
    }

    private static ValueInfoProto.Builder input(ModelProto.Builder m, String name) {
        return m.getGraphBuilder().getInputBuilderList().stream().filter(i -> i.getName().equals(name)).findFirst()
                .orElseThrow();
    }

    @Test
    void gptFilesOfEarlierFormatsAreRefusedWithAReExportHint(@TempDir Path dir) throws Exception {
        for (String format : new String[] {"1", "2"}) {
            Path file = export(gpt(23, 2), dir);
            edit(file, m -> meta(m, "transformer4j.format", format));
            String message = refusal(file);
            assertTrue(message.contains("layout version is " + format) && message.contains("past_key_values")
                    && message.contains("export it again"), message);
        }
    }

    @Test
    void encoderFilesOfEarlierFormatsStillOpenButDecoderFilesAreRefused(@TempDir Path dir) throws Exception {
        Seq2SeqConfig config = TinyModels.seq2seqPostLn(ODD).build();
        OnnxExporter.export(config, TinyModels.randomWeights(new Seq2SeqModel(config).parameterSpecs(), 2), null, dir);
        edit(dir.resolve(OnnxNames.ENCODER_FILE), m -> meta(m, "transformer4j.format", "2"));
        OnnxSeq2SeqModel.open(dir).close();
        Path decoder = dir.resolve(OnnxNames.DECODER_FILE);
        edit(decoder, m -> meta(m, "transformer4j.format", "2"));
        CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> OnnxSeq2SeqModel.open(dir));
        assertTrue(e.getMessage().startsWith(decoder.toString()) && e.getMessage().contains("export it again"),
                e.getMessage());
    }

    @Test
    void aDecoderWhoseMemoryWidthIsNotTheConfigsIsRefused(@TempDir Path dir) throws Exception {
        Seq2SeqConfig config = TinyModels.seq2seqPostLn(ODD).build();
        OnnxExporter.export(config, TinyModels.randomWeights(new Seq2SeqModel(config).parameterSpecs(), 2), null, dir);
        Path decoder = dir.resolve(OnnxNames.DECODER_FILE);
        edit(decoder, m -> {
            input(m, OnnxNames.MEMORY).getTypeBuilder().getTensorTypeBuilder().getShapeBuilder().getDimBuilder(2)
                    .setDimParam("width"); // a fixed other width already fails ONNX Runtime's shape inference
            return m;
        });
        CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> OnnxSeq2SeqModel.open(dir));
        assertTrue(e.getMessage().startsWith(decoder.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("input 'memory' is float32 [?, ?, ?]"), e.getMessage());
        assertTrue(e.getMessage().contains("needs float32 [?, ?, " + ODD.width() + "]"), e.getMessage());
    }
}
