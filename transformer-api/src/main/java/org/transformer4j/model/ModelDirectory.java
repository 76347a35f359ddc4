package org.transformer4j.model;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.transformer4j.io.AtomicFiles;
import org.transformer4j.io.CheckpointFormatException;
import org.transformer4j.io.Safetensors;
import org.transformer4j.nn.ParameterSpec;
import org.transformer4j.nn.TrainableModel;
import org.transformer4j.tensor.HostTensor;
import org.transformer4j.tokenizer.Tokenizer;
import org.transformer4j.tokenizer.Tokenizers;

/**
 * A model on disk, laid out as the Hugging Face ecosystem does: {@code config.json} (the architecture),
 * {@code model.safetensors} (the weights) and {@code tokenizer.json}. Every file is written atomically.
 * Loading checks the weights against the config (every expected name present with its shape, nothing
 * unexpected) and the tokenizer against the vocabulary, and says which file is wrong and how.
 *
 * <p>nanoGPT state dicts load as they are: a {@code _orig_mod.} prefix (from {@code torch.compile}) is
 * stripped, the causal-mask buffers {@code *.attn.bias}/{@code *.attn.masked_bias} of older nanoGPT are
 * ignored, and with tied embeddings {@code lm_head.weight} may stand in for, or duplicate,
 * {@code transformer.wte.weight}.
 *
 * @param config    the architecture
 * @param weights   the weights, in the model's parameter order
 * @param tokenizer the tokenizer
 */
public record ModelDirectory(ModelConfig config, Map<String, HostTensor> weights, Tokenizer tokenizer) {
    public static final String CONFIG = "config.json";
    public static final String WEIGHTS = "model.safetensors";
    public static final String TOKENIZER = "tokenizer.json";

    public ModelDirectory {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(weights, "weights");
        Objects.requireNonNull(tokenizer, "tokenizer");
    }

    /** The trainable model this config describes. */
    public static TrainableModel modelFor(ModelConfig config) {
        return switch (config) {
            case GptConfig g -> new GptModel(g);
            case Seq2SeqConfig s -> new Seq2SeqModel(s);
            case LlamaConfig l -> new LlamaModel(l);
        };
    }

    /** Writes the three files into {@code dir} (created if missing), each atomically. */
    public void save(Path dir) throws IOException {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new NotDirectoryException(dir + ": cannot save a model directory there, a file of that name exists and"
                    + " is not a directory; pick another path or move the file");
        }
        Files.createDirectories(dir);
        checkTokenizer(dir.resolve(TOKENIZER), config, tokenizer);
        Map<String, HostTensor> checked = checkWeights(dir.resolve(WEIGHTS), config, weights);
        Tokenizers.save(tokenizer, dir.resolve(TOKENIZER));
        Safetensors.write(dir.resolve(WEIGHTS), checked, Map.of("format", "pt"));
        AtomicFiles.writeString(dir.resolve(CONFIG), ModelConfigJson.toJson(config));
    }

    /** Reads and checks a model directory. */
    public static ModelDirectory load(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new NoSuchFileException(dir.toString(), null, "not a model directory (expected " + CONFIG + ", "
                    + WEIGHTS + " and " + TOKENIZER + " inside)");
        }
        Path configFile = dir.resolve(CONFIG);
        ModelConfig config;
        try {
            config = ModelConfigJson.fromJson(readUtf8(configFile));
        } catch (ConfigException e) {
            throw new ConfigException(configFile + ": " + e.getMessage(), e);
        }
        Tokenizer tokenizer = Tokenizers.load(dir.resolve(TOKENIZER));
        checkTokenizer(dir.resolve(TOKENIZER), config, tokenizer);
        Path weightsFile = dir.resolve(WEIGHTS);
        Map<String, HostTensor> weights = checkWeights(weightsFile, config, Safetensors.read(weightsFile).tensors());
        return new ModelDirectory(config, weights, tokenizer);
    }

    /** The text of {@code file}, refusing bytes that are not UTF-8 with a message naming the file. */
    private static String readUtf8(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new ConfigException("the file is not UTF-8 text (" + e + "); config.json must be UTF-8 JSON", e);
        }
    }

    private static void checkTokenizer(Path file, ModelConfig config, Tokenizer tokenizer) throws CheckpointFormatException {
        if (tokenizer.vocabSize() > config.vocabSize()) {
            throw new CheckpointFormatException(file, "the tokenizer has " + tokenizer.vocabSize()
                    + " ids but the model's vocab_size is " + config.vocabSize()
                    + ": they do not belong together (retrain or pick the matching tokenizer.json)");
        }
    }

    /**
     * The weights of {@code config}'s model, in parameter order, from a state dict that may use nanoGPT's
     * conventions; fails naming every missing, unexpected or mis-shaped weight.
     */
    public static Map<String, HostTensor> checkWeights(Path file, ModelConfig config, Map<String, HostTensor> stateDict)
            throws CheckpointFormatException {
        Map<String, HostTensor> given = new LinkedHashMap<>();
        for (var e : stateDict.entrySet()) {
            String name = e.getKey().startsWith("_orig_mod.") ? e.getKey().substring("_orig_mod.".length()) : e.getKey();
            if (config instanceof GptConfig && (name.endsWith(".attn.bias") || name.endsWith(".attn.masked_bias"))) {
                continue;
            }
            if (config instanceof LlamaConfig && name.endsWith(".self_attn.rotary_emb.inv_freq")) {
                continue; // a buffer older transformers saved; the inverse frequencies follow from config.json
            }
            given.put(name, e.getValue());
        }
        if (config.tiedEmbeddings()) {
            String embed = switch (config) {
                case GptConfig g -> "transformer.wte.weight";
                case Seq2SeqConfig s -> "decoder.embed_tokens.weight";
                case LlamaConfig l -> "model.embed_tokens.weight";
            };
            HostTensor head = given.remove("lm_head.weight");
            if (head != null && !given.containsKey(embed)) {
                given.put(embed, head);
            } else if (head != null && !head.equals(given.get(embed))) {
                throw new CheckpointFormatException(file, "'lm_head.weight' differs from '" + embed + "' although "
                        + "config.json sets tie_embeddings true: this checkpoint has an untied output head; set "
                        + "tie_embeddings to false");
            }
        }
        List<String> problems = new ArrayList<>();
        Map<String, HostTensor> out = new LinkedHashMap<>();
        for (ParameterSpec spec : modelFor(config).parameterSpecs()) {
            HostTensor t = given.remove(spec.name());
            if (t == null) {
                problems.add("missing '" + spec.name() + "' " + spec.shape());
            } else if (!t.shape().equals(spec.shape())) {
                problems.add("'" + spec.name() + "' has shape " + t.shape() + " but the config needs " + spec.shape());
            } else if (t.dtype() != org.transformer4j.tensor.DType.FLOAT32) {
                problems.add("'" + spec.name() + "' is " + t.dtype() + ", weights must be floating point");
            } else {
                out.put(spec.name(), t);
            }
        }
        for (String extra : given.keySet()) {
            problems.add("unexpected '" + extra + "' (not a weight of this " + config.modelType() + " config)");
        }
        if (!problems.isEmpty()) {
            int shown = Math.min(problems.size(), 10);
            throw new CheckpointFormatException(file, "the weights do not match config.json: "
                    + String.join("; ", problems.subList(0, shown))
                    + (problems.size() > shown ? "; and " + (problems.size() - shown) + " more" : ""));
        }
        return out;
    }
}
