package org.transformer4j.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.transformer4j.nn.layers.RopeScaling;

/**
 * Reads and writes the {@code config.json} of Hugging Face's Llama-family models ({@code model_type} {@code llama},
 * {@code qwen2}, {@code mistral}; architectures {@code LlamaForCausalLM}, {@code Qwen2ForCausalLM},
 * {@code MistralForCausalLM}) as a {@link LlamaConfig}. Fields are HF's: {@code vocab_size}, {@code hidden_size},
 * {@code intermediate_size}, {@code num_hidden_layers}, {@code num_attention_heads} are required; the others take
 * HF's defaults of that model type when absent ({@code num_key_value_heads} = heads, {@code head_dim} =
 * hidden/heads, ...). Fields that do not change the computation ({@code torch_dtype}, {@code bos_token_id},
 * {@code use_cache}, {@code initializer_range}, ...) are ignored. A field whose value this project cannot honour is
 * refused with a {@link ConfigException} naming field and value: an activation other than {@code silu}, a
 * {@code rope_scaling} type other than {@code default}, {@code linear} and {@code llama3}, a
 * {@code partial_rotary_factor} below 1, attention dropout, and a sliding window shorter than the context
 * (sliding-window attention is not implemented; a window at least as long as the context changes nothing).
 */
public final class LlamaConfigJson {
    /** The {@code model_type} values this class reads. */
    public static final List<String> MODEL_TYPES = List.of("llama", "qwen2", "mistral");

    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private LlamaConfigJson() {
    }

    /**
     * Whether this class reads a config.json of that {@code model_type}.
     *
     * @param modelType config.json's {@code model_type}
     * @return whether it is one of {@link #MODEL_TYPES}
     */
    public static boolean handles(String modelType) {
        return MODEL_TYPES.contains(modelType);
    }

    /**
     * HF's config.json text of a config, with every field the model needs written out (defaults included, so
     * HF's loader reads back the same model).
     *
     * @param c the config
     * @return the JSON text, indented, ending in a newline
     */
    public static String toJson(LlamaConfig c) {
        ObjectNode o = MAPPER.createObjectNode();
        o.putArray("architectures").add(c.family().architecture());
        o.put("model_type", c.family().modelType());
        o.put("vocab_size", c.vocabSize());
        o.put("hidden_size", c.hiddenSize());
        o.put("intermediate_size", c.intermediateSize());
        o.put("num_hidden_layers", c.layers());
        o.put("num_attention_heads", c.heads());
        o.put("num_key_value_heads", c.kvHeads());
        o.put("head_dim", c.headDim());
        o.put("hidden_act", "silu");
        o.put("max_position_embeddings", c.maxPositionEmbeddings());
        o.put("rms_norm_eps", (double) c.rmsNormEps());
        o.put("rope_theta", c.ropeTheta());
        RopeScaling rs = c.ropeScaling();
        if (rs == null) {
            o.putNull("rope_scaling");
        } else {
            ObjectNode r = o.putObject("rope_scaling");
            r.put("rope_type", rs.type().jsonName());
            r.put("factor", rs.factor());
            if (rs.type() == RopeScaling.Type.LLAMA3) {
                r.put("low_freq_factor", rs.lowFreqFactor());
                r.put("high_freq_factor", rs.highFreqFactor());
                r.put("original_max_position_embeddings", rs.originalMaxPositionEmbeddings());
            }
        }
        o.put("tie_word_embeddings", c.tieWordEmbeddings());
        o.put("attention_dropout", 0.0);
        switch (c.family()) {
            case LLAMA -> {
                o.put("attention_bias", c.attentionBias());
                o.put("mlp_bias", c.mlpBias());
            }
            case QWEN2 -> o.put("use_sliding_window", false);
            case MISTRAL -> o.putNull("sliding_window");
        }
        o.put("torch_dtype", "float32");
        try {
            return MAPPER.writeValueAsString(o) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize config " + c, e);
        }
    }

    /**
     * Parses config.json text of a Llama-family model.
     *
     * @param json the file's text
     * @return the validated config
     * @throws ConfigException when the text is not a JSON object, a required field is missing, or a field has a
     *     value this project cannot honour (named with its value)
     */
    public static LlamaConfig fromJson(String json) {
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new ConfigException("config.json is not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new ConfigException("config.json must hold a JSON object");
        }
        return fromJson(root);
    }

    /** The config of an already parsed config.json object whose {@code model_type} this class {@link #handles}. */
    static LlamaConfig fromJson(JsonNode root) {
        String type = text(root, "model_type", null);
        LlamaConfig.Family family = switch (type) {
            case "llama" -> LlamaConfig.Family.LLAMA;
            case "qwen2" -> LlamaConfig.Family.QWEN2;
            case "mistral" -> LlamaConfig.Family.MISTRAL;
            default -> throw new ConfigException("model_type must be one of " + MODEL_TYPES + ", was \"" + type + "\"");
        };
        String act = text(root, "hidden_act", "silu");
        if (!act.equals("silu")) {
            throw new ConfigException("hidden_act \"" + act + "\" is not supported for model_type " + type
                    + "; only \"silu\" (the SwiGLU MLP) is implemented");
        }
        double dropout = number(root, "attention_dropout", 0.0);
        if (dropout != 0.0) {
            throw new ConfigException("attention_dropout " + dropout + " is not supported: Llama-family models train "
                    + "here without dropout; set it to 0.0");
        }
        double partial = number(root, "partial_rotary_factor", 1.0);
        if (partial != 1.0) {
            throw new ConfigException("partial_rotary_factor " + partial + " is not supported: rotary embedding is "
                    + "applied to the whole head");
        }
        int hidden = integer(root, "hidden_size", null);
        int heads = integer(root, "num_attention_heads", null);
        ConfigChecks.positive("num_attention_heads", heads);
        int kvHeads = integer(root, "num_key_value_heads", heads);
        int headDim = integer(root, "head_dim", hidden / heads);
        int defaultContext = switch (family) {
            case LLAMA -> 2048;
            case QWEN2 -> 32768;
            case MISTRAL -> 131072;
        };
        int context = integer(root, "max_position_embeddings", defaultContext);
        checkSlidingWindow(root, family, context);
        float eps = (float) number(root, "rms_norm_eps", 1e-6);
        double theta = number(root, "rope_theta", 10000.0);
        boolean attentionBias = family == LlamaConfig.Family.QWEN2
                || (family == LlamaConfig.Family.LLAMA && bool(root, "attention_bias", false));
        boolean mlpBias = family == LlamaConfig.Family.LLAMA && bool(root, "mlp_bias", false);
        try {
            return new LlamaConfig(family, integer(root, "vocab_size", null), hidden,
                    integer(root, "intermediate_size", null), integer(root, "num_hidden_layers", null), heads, kvHeads,
                    headDim, eps, theta, ropeScaling(root.get("rope_scaling")), context,
                    bool(root, "tie_word_embeddings", false), attentionBias, mlpBias);
        } catch (IllegalArgumentException e) {
            throw e instanceof ConfigException ? e : new ConfigException(e.getMessage(), e);
        }
    }

    private static void checkSlidingWindow(JsonNode root, LlamaConfig.Family family, int context) {
        JsonNode w = root.get("sliding_window");
        if (w == null || w.isNull() || family == LlamaConfig.Family.LLAMA) {
            return;
        }
        if (family == LlamaConfig.Family.QWEN2 && !bool(root, "use_sliding_window", false)) {
            return;
        }
        int window = integer(root, "sliding_window", null);
        if (window < context) {
            throw new ConfigException("sliding_window " + window + " is shorter than max_position_embeddings " + context
                    + ": sliding-window attention is not implemented, so sequences longer than the window would give "
                    + "other results than the model was trained for; set max_position_embeddings to at most " + window
                    + " to run the model within its window");
        }
    }

    private static RopeScaling ropeScaling(JsonNode n) {
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isObject()) {
            throw new ConfigException("rope_scaling must be an object or null, was " + n);
        }
        JsonNode typeNode = n.has("rope_type") ? n.get("rope_type") : n.get("type");
        if (typeNode == null || !typeNode.isTextual()) {
            throw new ConfigException("rope_scaling needs a \"rope_type\" (or \"type\") string, was " + n);
        }
        String type = typeNode.asText();
        try {
            return switch (type) {
                case "default" -> null;
                case "linear" -> RopeScaling.linear(number(n, "factor", null));
                case "llama3" -> RopeScaling.llama3(number(n, "factor", null), number(n, "low_freq_factor", null),
                        number(n, "high_freq_factor", null), integer(n, "original_max_position_embeddings", null));
                default -> throw new ConfigException("rope_scaling type \"" + type + "\" is not supported; the "
                        + "supported types are \"default\", \"linear\" and \"llama3\"");
            };
        } catch (ConfigException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage(), e);
        }
    }

    private static JsonNode field(JsonNode root, String field, Object fallback) {
        JsonNode n = root.get(field);
        if ((n == null || n.isNull()) && fallback == null) {
            throw new ConfigException("config.json is missing the required field \"" + field + "\"");
        }
        return n == null || n.isNull() ? null : n;
    }

    private static String text(JsonNode root, String field, String fallback) {
        JsonNode n = field(root, field, fallback);
        if (n == null) {
            return fallback;
        }
        if (!n.isTextual()) {
            throw new ConfigException(field + " must be a string, was " + n);
        }
        return n.asText();
    }

    private static int integer(JsonNode root, String field, Integer fallback) {
        JsonNode n = field(root, field, fallback);
        if (n == null) {
            return fallback;
        }
        if (!n.isIntegralNumber() || !n.canConvertToInt()) {
            throw new ConfigException(field + " must be an integer, was " + n);
        }
        return n.intValue();
    }

    private static double number(JsonNode root, String field, Double fallback) {
        JsonNode n = field(root, field, fallback);
        if (n == null) {
            return fallback;
        }
        if (!n.isNumber()) {
            throw new ConfigException(field + " must be a number, was " + n);
        }
        return n.doubleValue();
    }

    private static boolean bool(JsonNode root, String field, Boolean fallback) {
        JsonNode n = field(root, field, fallback);
        if (n == null) {
            return fallback;
        }
        if (!n.isBoolean()) {
            throw new ConfigException(field + " must be true or false, was " + n);
        }
        return n.booleanValue();
    }
}
