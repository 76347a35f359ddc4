package org.transformer4j.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Hugging Face's {@code GPT2Config} ({@code config.json} with {@code "model_type": "gpt2"}) to and from a
 * {@link GptConfig}. GPT-2 is a pre-LN GPT with learned positions and biases everywhere, so those are implied.
 * Read as Hugging Face reads it: a field that is absent takes {@code GPT2Config}'s default, except the five sizes
 * ({@code vocab_size}, {@code n_positions}, {@code n_embd}, {@code n_layer}, {@code n_head}), which every real
 * checkpoint states and which are required here so that a truncated file is not mistaken for GPT-2 small. Fields
 * this project does not use (tokenizer class, summary heads, {@code use_cache}, ...) are ignored and logged at
 * debug level; a value it cannot honour ({@code scale_attn_by_inverse_layer_idx: true}, {@code add_cross_attention:
 * true}, {@code scale_attn_weights: false}, an activation other than {@code gelu_new}, {@code gelu_pytorch_tanh},
 * {@code gelu_fast}, {@code gelu} or {@code relu}) is refused with the field and value.
 */
final class HfGpt2Config {
    static final String MODEL_TYPE = "gpt2";
    private static final System.Logger LOG = System.getLogger(HfGpt2Config.class.getName());

    /** Fields read here; everything else is ignored. */
    private static final Set<String> USED = Set.of("model_type", "vocab_size", "n_positions", "n_embd", "n_layer",
            "n_head", "n_inner", "activation_function", "layer_norm_epsilon", "tie_word_embeddings", "resid_pdrop",
            "embd_pdrop", "attn_pdrop", "scale_attn_weights", "scale_attn_by_inverse_layer_idx",
            "reorder_and_upcast_attn", "add_cross_attention", "bos_token_id", "eos_token_id", "n_ctx");

    /** A parsed GPT2Config: the architecture and the special token ids it names (-1 when absent). */
    record Parsed(GptConfig config, int bosTokenId, int eosTokenId) {
    }

    private HfGpt2Config() {
    }

    /** Reads a GPT2Config object; {@link ConfigException} names the field and value it cannot honour. */
    static Parsed fromJson(JsonNode root) {
        String type = ModelConfigJson.text(root, "model_type");
        if (!type.equals(MODEL_TYPE)) {
            throw new ConfigException("model_type \"" + type + "\" is not a Hugging Face GPT-2 config (\"gpt2\")");
        }
        List<String> ignored = new ArrayList<>();
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!USED.contains(f)) {
                ignored.add(f);
            }
        }
        if (!ignored.isEmpty()) {
            LOG.log(System.Logger.Level.DEBUG, "config.json: ignoring GPT2Config fields this project does not use: {0}",
                    ignored);
        }
        refuseIf(root, "scale_attn_by_inverse_layer_idx", true, "attention scaled by 1/(layer index + 1) is not implemented");
        refuseIf(root, "add_cross_attention", true, "GPT-2 with cross-attention (an encoder-decoder) is not supported;"
                + " use a seq2seq model");
        refuseIf(root, "scale_attn_weights", false, "attention without the 1/sqrt(head_dim) scale is not implemented");
        if (root.has("reorder_and_upcast_attn") && bool(root, "reorder_and_upcast_attn", false)) {
            // it only changes the order and precision of fp16 attention; this project computes attention in float32
            LOG.log(System.Logger.Level.DEBUG, "config.json: reorder_and_upcast_attn true: attention runs in float32 anyway");
        }
        int width = ModelConfigJson.integer(root, "n_embd");
        int ctx = ModelConfigJson.integer(root, "n_positions");
        if (root.has("n_ctx") && !root.get("n_ctx").isNull() && ModelConfigJson.integer(root, "n_ctx") != ctx) {
            throw new ConfigException("n_ctx=" + root.get("n_ctx") + " differs from n_positions=" + ctx
                    + ": the position table has one size; make them equal");
        }
        JsonNode inner = root.get("n_inner");
        int ffn = inner == null || inner.isNull() ? 4 * width : ModelConfigJson.integer(root, "n_inner");
        float residDrop = (float) number(root, "resid_pdrop", 0.1);
        float embdDrop = (float) number(root, "embd_pdrop", 0.1);
        float attnDrop = (float) number(root, "attn_pdrop", 0.1);
        if (residDrop != embdDrop || residDrop != attnDrop) {
            LOG.log(System.Logger.Level.DEBUG, "config.json: one dropout for all three places here: resid_pdrop={0}"
                    + " (embd_pdrop={1} and attn_pdrop={2} not used separately)", residDrop, embdDrop, attnDrop);
        }
        GptConfig config = new GptConfig(ModelConfigJson.integer(root, "vocab_size"), ctx,
                ModelConfigJson.integer(root, "n_layer"), ModelConfigJson.integer(root, "n_head"), width, ffn, residDrop,
                true, bool(root, "tie_word_embeddings", true), PositionalEncodingType.LEARNED, NormPlacement.PRE,
                activation(root), (float) number(root, "layer_norm_epsilon", 1e-5));
        return new Parsed(config, tokenId(root, "bos_token_id"), tokenId(root, "eos_token_id"));
    }

    /**
     * The GPT2Config text of {@code config}; refuses, with the reason, an architecture GPT-2 cannot express.
     *
     * @param bosTokenId written when >= 0
     * @param eosTokenId written when >= 0
     */
    static String toJson(GptConfig config, int bosTokenId, int eosTokenId) {
        requireExpressible(config);
        ObjectNode o = ModelConfigJson.object();
        o.putArray("architectures").add("GPT2LMHeadModel");
        o.put("model_type", MODEL_TYPE);
        o.put("vocab_size", config.vocabSize());
        o.put("n_positions", config.contextLength());
        o.put("n_embd", config.embeddingDim());
        o.put("n_layer", config.layers());
        o.put("n_head", config.heads());
        if (config.feedForwardDim() == 4 * config.embeddingDim()) {
            o.putNull("n_inner");
        } else {
            o.put("n_inner", config.feedForwardDim());
        }
        o.put("activation_function", switch (config.activation()) {
            case GELU_TANH -> "gelu_new";
            case GELU -> "gelu";
            case RELU -> "relu";
        });
        o.put("resid_pdrop", config.dropout());
        o.put("embd_pdrop", config.dropout());
        o.put("attn_pdrop", config.dropout());
        o.put("layer_norm_epsilon", config.layerNormEps());
        o.put("initializer_range", 0.02);
        o.put("scale_attn_weights", true);
        o.put("use_cache", true);
        o.put("tie_word_embeddings", config.tiedEmbeddings());
        if (bosTokenId >= 0) {
            o.put("bos_token_id", bosTokenId);
        }
        if (eosTokenId >= 0) {
            o.put("eos_token_id", eosTokenId);
        }
        return ModelConfigJson.write(o);
    }

    /** Fails with the reason when {@code config} is not a GPT-2 architecture (biases, pre-LN, learned positions). */
    static void requireExpressible(GptConfig config) {
        List<String> why = new ArrayList<>();
        if (!config.bias()) {
            why.add("it has no biases (bias false) but GPT-2 has a bias in every linear layer and layer norm");
        }
        if (config.normPlacement() != NormPlacement.PRE) {
            why.add("its layer norms are post-LN but GPT-2 is pre-LN");
        }
        if (config.positionalEncoding() != PositionalEncodingType.LEARNED) {
            why.add("its positions are sinusoidal but GPT-2 learns them (wpe)");
        }
        if (!why.isEmpty()) {
            throw new ConfigException("this GPT cannot be written as a Hugging Face GPT-2: " + String.join("; ", why)
                    + "; keep the project's own layout (ModelDirectory.save) or train with --bias true --norm pre"
                    + " --positions learned");
        }
    }

    private static Activation activation(JsonNode root) {
        JsonNode n = root.get("activation_function");
        if (n == null || n.isNull()) {
            return Activation.GELU_TANH; // GPT2Config's default "gelu_new"
        }
        String v = ModelConfigJson.text(root, "activation_function");
        return switch (v) {
            case "gelu_new", "gelu_pytorch_tanh", "gelu_fast" -> Activation.GELU_TANH;
            case "gelu" -> Activation.GELU;
            case "relu" -> Activation.RELU;
            default -> throw new ConfigException("activation_function \"" + v + "\" is not supported; the supported"
                    + " ones are \"gelu_new\", \"gelu_pytorch_tanh\", \"gelu_fast\" (all the tanh GELU), \"gelu\" and"
                    + " \"relu\"");
        };
    }

    private static void refuseIf(JsonNode root, String field, boolean value, String why) {
        if (root.has(field) && !root.get(field).isNull() && bool(root, field, !value) == value) {
            throw new ConfigException(field + " is " + value + ": " + why);
        }
    }

    private static boolean bool(JsonNode root, String field, boolean absent) {
        JsonNode n = root.get(field);
        return n == null || n.isNull() ? absent : ModelConfigJson.bool(root, field);
    }

    private static double number(JsonNode root, String field, double absent) {
        JsonNode n = root.get(field);
        return n == null || n.isNull() ? absent : ModelConfigJson.number(root, field);
    }

    private static int tokenId(JsonNode root, String field) {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) {
            return -1;
        }
        int id = ModelConfigJson.integer(root, field);
        if (id < 0) {
            throw new ConfigException(field + " must be a token id >= 0, was " + id);
        }
        return id;
    }
}
