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
import org.transformer4j.io.SafetensorsShards;
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
 * <p>A Hugging Face GPT-2 directory loads as it is ({@link Layout#HUGGING_FACE}): {@code config.json} of
 * {@code GPT2Config} ({@code "model_type": "gpt2"}), weights in {@code model.safetensors} or sharded
 * ({@code model.safetensors.index.json} + shards) under GPT-2's names with or without {@code transformer.}, Conv1D
 * weights {@code [in, out]}, F32/F16/BF16 (converted to float32), and {@code generation_config.json}
 * ({@link #generationDefaults()}). {@link #save} writes a directory back in the layout it was read in;
 * {@link #saveHuggingFace} writes any GPT-2-shaped model in Hugging Face's.
 *
 * <p>Loading refuses before it allocates: a config whose weights need more heap than the JVM can still give is
 * refused with the size it needs; weights with NaN or infinite values are refused naming the tensor (set the system
 * property {@value #ALLOW_NON_FINITE} to {@code true} to load them anyway, e.g. to debug a diverged run). A directory
 * that fails to load yields no object at all.
 *
 * @param config             the architecture
 * @param weights            the weights, in the model's parameter order and under its (nanoGPT) names
 * @param tokenizer          the tokenizer
 * @param layout             the file layout it was read in, and that {@link #save} writes
 * @param generationDefaults the generation settings the directory suggests ({@link GenerationDefaults#NONE} if none)
 */
public record ModelDirectory(ModelConfig config, Map<String, HostTensor> weights, Tokenizer tokenizer, Layout layout,
                             GenerationDefaults generationDefaults) {
    public static final String CONFIG = "config.json";
    public static final String WEIGHTS = "model.safetensors";
    public static final String TOKENIZER = "tokenizer.json";
    /** Hugging Face's generation settings file. */
    public static final String GENERATION_CONFIG = GenerationConfigJson.FILE;
    /** System property: {@code true} lets weights with NaN or infinite values load (for debugging). */
    public static final String ALLOW_NON_FINITE = "transformer4j.allowNonFiniteWeights";

    /** How the files of a model directory are laid out. */
    public enum Layout {
        /** This project's config.json (model_type gpt or seq2seq) and nanoGPT-named weights. */
        TRANSFORMER4J,
        /** Hugging Face transformers' GPT-2: GPT2Config, Conv1D weights, generation_config.json. */
        HUGGING_FACE
    }

    /** Checks the parts are present and that a Hugging Face layout can express the config. */
    public ModelDirectory {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(weights, "weights");
        Objects.requireNonNull(tokenizer, "tokenizer");
        Objects.requireNonNull(layout, "layout");
        Objects.requireNonNull(generationDefaults, "generationDefaults");
        if (layout == Layout.HUGGING_FACE) {
            if (!(config instanceof GptConfig g)) {
                throw new IllegalArgumentException("the Hugging Face layout here is GPT-2's; a " + config.modelType()
                        + " model cannot use it");
            }
            HfGpt2Config.requireExpressible(g);
        }
    }

    /**
     * A directory in this project's layout that suggests no generation settings.
     *
     * @param config the architecture
     * @param weights the weights by name
     * @param tokenizer the tokenizer
     */
    public ModelDirectory(ModelConfig config, Map<String, HostTensor> weights, Tokenizer tokenizer) {
        this(config, weights, tokenizer, Layout.TRANSFORMER4J, GenerationDefaults.NONE);
    }

    /**
     * The same directory with other weights (e.g. after fine-tuning): layout, tokenizer and defaults kept.
     *
     * @param newWeights the weights, under the same names and shapes
     * @return the new directory
     */
    public ModelDirectory withWeights(Map<String, HostTensor> newWeights) {
        return new ModelDirectory(config, newWeights, tokenizer, layout, generationDefaults);
    }

    /**
     * The trainable model this config describes.
     *
     * @param config a model config
     * @return the model composed over {@link org.transformer4j.nn.Ops}
     */
    public static TrainableModel modelFor(ModelConfig config) {
        return switch (config) {
            case GptConfig g -> new GptModel(g);
            case Seq2SeqConfig s -> new Seq2SeqModel(s);
            case LlamaConfig l -> new LlamaModel(l);
        };
    }

    /**
     * Writes the directory into {@code dir} (created if missing) in its {@link #layout()}, each file atomically:
     * config.json, model.safetensors and tokenizer.json, and for Hugging Face also generation_config.json.
     *
     * @param dir the directory, created if missing
     * @throws IOException when a file cannot be written, or the weights or tokenizer do not match the config
     */
    public void save(Path dir) throws IOException {
        if (layout == Layout.HUGGING_FACE) {
            saveHuggingFace(dir);
            return;
        }
        prepare(dir);
        checkTokenizer(dir.resolve(TOKENIZER), config, tokenizer);
        Map<String, HostTensor> checked = checkWeights(dir.resolve(WEIGHTS), config, weights);
        Tokenizers.save(tokenizer, dir.resolve(TOKENIZER));
        Safetensors.write(dir.resolve(WEIGHTS), checked, Map.of("format", "pt"));
        AtomicFiles.writeString(dir.resolve(CONFIG), ModelConfigJson.toJson(config));
    }

    /**
     * Writes the model as a Hugging Face GPT-2 directory that {@code transformers.GPT2LMHeadModel.from_pretrained}
     * reads: config.json (GPT2Config), model.safetensors (GPT-2's names, Conv1D {@code [in, out]}, float32),
     * generation_config.json and tokenizer.json. Reading it back with {@link #load} gives this directory again.
     *
     * @param dir the directory, created if missing
     * @throws ConfigException naming the reason when the model is not a GPT-2 architecture (a seq2seq model, no
     *     biases, post-LN, sinusoidal positions); nothing is written then
     * @throws IOException when a file cannot be written
     */
    public void saveHuggingFace(Path dir) throws IOException {
        if (!(config instanceof GptConfig g)) {
            throw new ConfigException("a " + config.modelType() + " model cannot be written as a Hugging Face GPT-2;"
                    + " only decoder-only GPTs can");
        }
        HfGpt2Config.requireExpressible(g);
        Path weightsFile = dir.resolve(WEIGHTS);
        checkTokenizer(dir.resolve(TOKENIZER), config, tokenizer);
        Map<String, HostTensor> checked = checkWeights(weightsFile, config, weights);
        prepare(dir);
        Tokenizers.save(tokenizer, dir.resolve(TOKENIZER));
        Safetensors.write(weightsFile, HfGpt2Weights.toHuggingFace(checked), Map.of("format", "pt"));
        AtomicFiles.writeString(dir.resolve(GENERATION_CONFIG), GenerationConfigJson.toJson(generationDefaults));
        AtomicFiles.writeString(dir.resolve(CONFIG), HfGpt2Config.toJson(g,
                generationDefaults.bosTokenId().orElse(-1),
                generationDefaults.eosTokenIds().size() == 1 ? generationDefaults.eosTokenIds().iterator().next() : -1));
    }

    private static void prepare(Path dir) throws IOException {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new NotDirectoryException(dir + ": cannot save a model directory there, a file of that name exists and"
                    + " is not a directory; pick another path or move the file");
        }
        Files.createDirectories(dir);
    }

    /**
     * Reads and checks a model directory.
     *
     * @param dir the directory
     * @return the checked directory
     * @throws IOException when a file is missing, unreadable or does not match the config (naming the file)
     */
    public static ModelDirectory load(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new NoSuchFileException(dir.toString(), null, "not a model directory (expected " + CONFIG + ", "
                    + WEIGHTS + " and " + TOKENIZER + " inside)");
        }
        Path configFile = dir.resolve(CONFIG);
        ModelConfig config;
        HfGpt2Config.Parsed hf = null;
        com.fasterxml.jackson.databind.JsonNode configRoot;
        try {
            com.fasterxml.jackson.databind.JsonNode root = ModelConfigJson.parse(readUtf8(configFile), CONFIG);
            configRoot = root;
            if (HfGpt2Config.MODEL_TYPE.equals(root.path("model_type").asText())) {
                hf = HfGpt2Config.fromJson(root);
                config = hf.config();
            } else {
                config = ModelConfigJson.fromTree(root);
            }
        } catch (ConfigException e) {
            throw new ConfigException(configFile + ": " + e.getMessage(), e);
        }
        GenerationDefaults defaults = GenerationDefaults.NONE;
        if (hf != null || config instanceof LlamaConfig) {
            // Hugging Face's directories: generation_config.json, else config.json's bos/eos ids (Llama 3.1's
            // eos_token_id is a list)
            GenerationDefaults ids = hf != null ? GenerationConfigJson.fromIds(hf.bosTokenId(), hf.eosTokenId())
                    : GenerationConfigJson.fromIds(configRoot, configFile.toString());
            Path gen = dir.resolve(GENERATION_CONFIG);
            try {
                defaults = Files.exists(gen) ? GenerationConfigJson.fromJson(readUtf8(gen), ids) : ids;
            } catch (ConfigException e) {
                throw new ConfigException(gen + ": " + e.getMessage(), e);
            }
        }
        Tokenizer tokenizer = Tokenizers.fromDirectory(dir); // tokenizer.json, else vocab.json + merges.txt
        checkTokenizer(dir.resolve(TOKENIZER), config, tokenizer);
        Path index = dir.resolve(SafetensorsShards.INDEX);
        // Hugging Face's large checkpoints (GPT-2's and the Llama family's) come as shards listed by an index
        boolean sharded = (hf != null || config instanceof LlamaConfig) && !Files.exists(dir.resolve(WEIGHTS))
                && Files.exists(index);
        Path weightsFile = sharded ? index : dir.resolve(WEIGHTS);
        requireHeap(configFile, config);
        // a mutable copy that the Hugging Face conversion empties, so each Conv1D weight's original can be collected
        // as soon as its transpose exists (peak: the weights plus one matrix, not twice the weights)
        Map<String, HostTensor> stateDict = new LinkedHashMap<>(sharded ? SafetensorsShards.read(index)
                : Safetensors.read(weightsFile).tensors());
        Map<String, HostTensor> weights = hf != null
                ? HfGpt2Weights.fromHuggingFace(weightsFile, hf.config(), stateDict)
                : checkWeights(weightsFile, config, stateDict);
        checkFinite(weightsFile, weights);
        return new ModelDirectory(config, weights, tokenizer, hf != null ? Layout.HUGGING_FACE : Layout.TRANSFORMER4J,
                defaults);
    }

    /**
     * Bytes of float32 weights {@code config} describes (what loading it allocates).
     *
     * @param config a model config
     * @return the bytes
     */
    public static long weightBytes(ModelConfig config) {
        long n = 0;
        for (ParameterSpec spec : modelFor(config).parameterSpecs()) {
            n += spec.shape().size();
        }
        return n * Float.BYTES;
    }

    /** Refuses, before reading any weight, a config whose weights need more heap than this JVM can still give. */
    private static void requireHeap(Path configFile, ModelConfig config) throws IOException {
        long need = weightBytes(config);
        Runtime rt = Runtime.getRuntime();
        long available = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
        if (need > available) {
            throw new CheckpointFormatException(configFile, String.format(java.util.Locale.ROOT,
                    "the model it describes has %,d parameters, which need %,d MiB of float32 weights, but this JVM"
                            + " can give at most %,d MiB more (maximum heap %,d MiB); start java with -Xmx%dm or more,"
                            + " or check the sizes in config.json",
                    need / Float.BYTES, need >> 20, available >> 20, rt.maxMemory() >> 20, (need >> 20) * 3 / 2 + 256));
        }
    }

    /** Refuses weights with NaN or infinite values, naming the first such tensor, unless {@link #ALLOW_NON_FINITE}. */
    private static void checkFinite(Path file, Map<String, HostTensor> weights) throws CheckpointFormatException {
        if (Boolean.getBoolean(ALLOW_NON_FINITE)) {
            return;
        }
        for (var e : weights.entrySet()) {
            float[] v = e.getValue().floats();
            for (int i = 0; i < v.length; i++) {
                if (!Float.isFinite(v[i])) {
                    throw new CheckpointFormatException(file, "weight '" + e.getKey() + "' " + e.getValue().shape()
                            + " holds " + v[i] + " at flat index " + i + ": the checkpoint is corrupt or its training"
                            + " diverged; set -D" + ALLOW_NON_FINITE + "=true to load it anyway for debugging");
                }
            }
        }
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
     *
     * @param file the weights file, for messages
     * @param config the architecture
     * @param stateDict the weights as read
     * @return the weights under the model's names, in its order
     * @throws org.transformer4j.io.CheckpointFormatException listing the missing, unexpected and mis-shaped weights
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
