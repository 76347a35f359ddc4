package org.transformer4j.model;

import org.transformer4j.nn.PositionalEncodingType;
import org.transformer4j.nn.NormPlacement;
import org.transformer4j.nn.Activation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Reads and writes {@code config.json}. Field names follow nanoGPT/Hugging Face style:
 * <pre>{@code
 * { "model_type": "gpt", "vocab_size": 65, "context_length": 64, "n_layer": 4, "n_head": 4, "n_embd": 128,
 *   "ffn_dim": 512, "dropout": 0.0, "bias": false, "tie_embeddings": true,
 *   "positional_encoding": "learned", "norm_placement": "pre", "activation": "gelu", "layer_norm_eps": 1e-5 }
 * }</pre>
 * The encoder-decoder ({@code "model_type": "seq2seq"}) has {@code encoder_layers} and {@code decoder_layers}
 * instead of {@code n_layer}. Every field is required but {@code layer_norm_eps} (1e-5 when absent, which is what
 * directories written before it existed used); unknown fields are refused (a typo must not silently fall back to a
 * default). Errors name the field.
 *
 * <p>A Hugging Face {@code GPT2Config} ({@code "model_type": "gpt2"}) is read too, by {@link HfGpt2Config}: its
 * unused fields are ignored, as Hugging Face itself does. Hugging Face Llama-family files ({@code model_type} llama,
 * qwen2, mistral) are read and written by {@link LlamaConfigJson}.
 */
public final class ModelConfigJson {
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private static final String CONFIG = "config.json";

    private static final List<String> COMMON = List.of("model_type", "vocab_size", "context_length", "n_head",
            "n_embd", "ffn_dim", "dropout", "bias", "tie_embeddings", "positional_encoding", "norm_placement",
            "activation", "layer_norm_eps");

    private ModelConfigJson() {
    }

    /**
     * The JSON text of a config.
     *
     * @param config the config
     * @return config.json's text
     */
    public static String toJson(ModelConfig config) {
        if (config instanceof LlamaConfig llama) {
            return LlamaConfigJson.toJson(llama);
        }
        ObjectNode o = MAPPER.createObjectNode();
        o.put("model_type", config.modelType());
        o.put("vocab_size", config.vocabSize());
        o.put("context_length", config.contextLength());
        switch (config) {
            case GptConfig g -> o.put("n_layer", g.layers());
            case Seq2SeqConfig s -> {
                o.put("encoder_layers", s.encoderLayers());
                o.put("decoder_layers", s.decoderLayers());
            }
            case LlamaConfig l -> throw new AssertionError("written above");
        }
        o.put("n_head", config.heads());
        o.put("n_embd", config.embeddingDim());
        o.put("ffn_dim", config.feedForwardDim());
        o.put("dropout", config.dropout());
        o.put("bias", config.bias());
        o.put("tie_embeddings", config.tiedEmbeddings());
        PositionalEncodingType positions = config instanceof GptConfig g ? g.positionalEncoding()
                : ((Seq2SeqConfig) config).positionalEncoding();
        NormPlacement norm = config instanceof GptConfig g ? g.normPlacement() : ((Seq2SeqConfig) config).normPlacement();
        Activation activation = config instanceof GptConfig g ? g.activation() : ((Seq2SeqConfig) config).activation();
        o.put("positional_encoding", positions.jsonName());
        o.put("norm_placement", norm.jsonName());
        o.put("activation", activation.jsonName());
        o.put("layer_norm_eps", config.layerNormEps());
        try {
            return MAPPER.writeValueAsString(o) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize config " + config, e);
        }
    }

    /**
     * Parses config.json text; {@link ConfigException} names the missing, unknown or invalid field.
     *
     * @param json config.json's text
     * @return the config
     */
    public static ModelConfig fromJson(String json) {
        return fromTree(parse(json, CONFIG));
    }

    /** {@link #fromJson} of parsed JSON. */
    static ModelConfig fromTree(JsonNode root) {
        String type = text(root, "model_type");
        if (type.equals(HfGpt2Config.MODEL_TYPE)) {
            return HfGpt2Config.fromJson(root).config();
        }
        if (LlamaConfigJson.handles(type)) {
            return LlamaConfigJson.fromJson(root);
        }
        List<String> expected = new ArrayList<>(COMMON);
        switch (type) {
            case "gpt" -> expected.add("n_layer");
            case "seq2seq" -> {
                expected.add("encoder_layers");
                expected.add("decoder_layers");
            }
            default -> throw new ConfigException("model_type must be \"gpt\", \"seq2seq\", (Hugging Face) \""
                    + HfGpt2Config.MODEL_TYPE + "\" or one of " + LlamaConfigJson.MODEL_TYPES + ", was \"" + type + "\"");
        }
        Set<String> unknown = new LinkedHashSet<>();
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!expected.contains(f)) {
                unknown.add(f);
            }
        }
        if (!unknown.isEmpty()) {
            throw new ConfigException("config.json has unknown field(s) " + unknown + " for model_type \"" + type
                    + "\"; the fields are " + expected);
        }
        int vocab = integer(root, "vocab_size");
        int ctx = integer(root, "context_length");
        int heads = integer(root, "n_head");
        int width = integer(root, "n_embd");
        int ffn = integer(root, "ffn_dim");
        float dropout = (float) number(root, "dropout");
        boolean bias = bool(root, "bias");
        boolean tied = bool(root, "tie_embeddings");
        PositionalEncodingType pos = choice(root, "positional_encoding", PositionalEncodingType.class);
        NormPlacement norm = choice(root, "norm_placement", NormPlacement.class);
        Activation act = choice(root, "activation", Activation.class);
        float eps = root.has("layer_norm_eps") ? (float) number(root, "layer_norm_eps") : ModelConfig.DEFAULT_LAYER_NORM_EPS;
        if (type.equals("gpt")) {
            return new GptConfig(vocab, ctx, integer(root, "n_layer"), heads, width, ffn, dropout, bias, tied, pos, norm,
                    act, eps);
        }
        return new Seq2SeqConfig(vocab, ctx, integer(root, "encoder_layers"), integer(root, "decoder_layers"), heads,
                width, ffn, dropout, bias, tied, pos, norm, act, eps);
    }

    /** The JSON object of {@code file}'s text; {@link ConfigException} when it is not one. */
    static JsonNode parse(String json, String file) {
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new ConfigException(file + " is not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new ConfigException(file + " must hold a JSON object, found " + (root == null ? "nothing" : root.getNodeType()));
        }
        return root;
    }

    /** Indented JSON text of {@code node}, with a final newline. */
    static String write(JsonNode node) {
        try {
            return MAPPER.writeValueAsString(node) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize " + node, e);
        }
    }

    /** A fresh JSON object to fill and {@link #write}. */
    static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    static JsonNode required(JsonNode root, String field) {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) {
            throw new ConfigException("config.json is missing the required field \"" + field + "\"");
        }
        return n;
    }

    static String text(JsonNode root, String field) {
        JsonNode n = required(root, field);
        if (!n.isTextual()) {
            throw new ConfigException(field + " must be a string, was " + n);
        }
        return n.asText();
    }

    static int integer(JsonNode root, String field) {
        JsonNode n = required(root, field);
        if (!n.isIntegralNumber() || !n.canConvertToInt()) {
            throw new ConfigException(field + " must be an integer, was " + n);
        }
        return n.intValue();
    }

    static double number(JsonNode root, String field) {
        JsonNode n = required(root, field);
        if (!n.isNumber()) {
            throw new ConfigException(field + " must be a number, was " + n);
        }
        return n.doubleValue();
    }

    static boolean bool(JsonNode root, String field) {
        JsonNode n = required(root, field);
        if (!n.isBoolean()) {
            throw new ConfigException(field + " must be true or false, was " + n);
        }
        return n.booleanValue();
    }

    private static <E extends Enum<E>> E choice(JsonNode root, String field, Class<E> type) {
        String v = text(root, field);
        for (E e : type.getEnumConstants()) {
            if (e.name().toLowerCase(Locale.ROOT).equals(v)) {
                return e;
            }
        }
        List<String> names = new ArrayList<>();
        for (E e : type.getEnumConstants()) {
            names.add("\"" + e.name().toLowerCase(Locale.ROOT) + "\"");
        }
        throw new ConfigException(field + " must be one of " + names + ", was \"" + v + "\"");
    }
}
