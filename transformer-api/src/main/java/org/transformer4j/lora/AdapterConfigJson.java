package org.transformer4j.lora;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads and writes PEFT's {@code adapter_config.json} for LoRA: {@code peft_type} LORA, {@code r},
 * {@code lora_alpha}, {@code target_modules} (a list, or one name), {@code lora_dropout}, {@code bias},
 * {@code fan_in_fan_out}, {@code base_model_name_or_path}, {@code task_type}; the other fields PEFT writes are
 * written with their defaults. Reading refuses, naming the field, what would change the adapter's function and is not
 * implemented: another {@code peft_type}, {@code bias} other than {@code none}, {@code use_dora}, {@code use_rslora},
 * a non-empty {@code rank_pattern}/{@code alpha_pattern}, {@code modules_to_save}, {@code layers_to_transform}. Other
 * unknown fields are ignored, as PEFT versions add fields often.
 */
public final class AdapterConfigJson {
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** What an adapter_config.json says. */
    record Parsed(LoraConfig config, String baseModel, String taskType, boolean fanInFanOut) {
    }

    private AdapterConfigJson() {
    }

    /**
     * The JSON text of an adapter's config, with PEFT's field names (sorted, as PEFT writes them).
     *
     * @param adapter the adapter
     * @return the text of its {@code adapter_config.json}
     */
    public static String toJson(LoraAdapter adapter) {
        LoraConfig c = adapter.config();
        ObjectNode o = MAPPER.createObjectNode();
        o.putObject("alpha_pattern");
        o.putNull("auto_mapping");
        o.put("base_model_name_or_path", adapter.baseModel());
        o.put("bias", "none");
        o.put("fan_in_fan_out", adapter.fanInFanOut());
        o.put("inference_mode", true);
        o.put("init_lora_weights", true);
        o.putNull("layers_pattern");
        o.putNull("layers_to_transform");
        if (c.alpha() == Math.rint(c.alpha())) {
            o.put("lora_alpha", (long) c.alpha());
        } else {
            o.put("lora_alpha", c.alpha());
        }
        o.put("lora_dropout", c.dropout());
        o.putNull("modules_to_save");
        o.put("peft_type", "LORA");
        o.put("r", c.rank());
        o.putObject("rank_pattern");
        o.putNull("revision");
        var targets = o.putArray("target_modules");
        c.targets().forEach(targets::add);
        o.put("task_type", adapter.taskType());
        o.put("use_dora", false);
        o.put("use_rslora", false);
        try {
            return MAPPER.writeValueAsString(o) + "\n"; // keys put in sorted order, as PEFT writes them
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write adapter_config.json: " + e.getMessage(), e);
        }
    }

    /**
     * Parses the text of an adapter_config.json.
     *
     * @throws IllegalArgumentException naming the field when it is missing, malformed or asks for what is not
     *     implemented
     */
    static Parsed fromJson(String json) {
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("must be a JSON object, as PEFT's save_pretrained writes it");
        }
        String type = root.path("peft_type").asText("");
        if (!type.equals("LORA")) {
            throw new IllegalArgumentException("peft_type is '" + type + "'; only LORA adapters are supported");
        }
        JsonNode r = root.get("r");
        if (r == null || !r.canConvertToInt() || !r.isIntegralNumber()) {
            throw new IllegalArgumentException("r must be a positive integer, was " + r);
        }
        JsonNode alpha = root.get("lora_alpha");
        if (alpha == null || !alpha.isNumber()) {
            throw new IllegalArgumentException("lora_alpha must be a number, was " + alpha);
        }
        String bias = root.path("bias").asText("none");
        if (!bias.equals("none")) {
            throw new IllegalArgumentException("bias is '" + bias + "'; only adapters without trained biases (\"none\")"
                    + " are supported");
        }
        refuseTrue(root, "use_dora", "DoRA adapters are not supported");
        refuseTrue(root, "use_rslora", "rank-stabilized LoRA (scale alpha/sqrt(r)) is not supported");
        refuseNonEmpty(root, "rank_pattern", "per-layer ranks are not supported");
        refuseNonEmpty(root, "alpha_pattern", "per-layer alphas are not supported");
        refuseNonEmpty(root, "modules_to_save", "fully trained extra modules are not supported");
        refuseNonEmpty(root, "layers_to_transform", "restricting layers this way is not supported (the tensors "
                + "already say which layers are adapted)");
        JsonNode t = root.get("target_modules");
        List<String> targets = new ArrayList<>();
        if (t != null && t.isArray()) {
            t.forEach(n -> targets.add(n.asText()));
        } else if (t != null && t.isTextual()) {
            targets.add(t.asText());
        } else {
            throw new IllegalArgumentException("target_modules must be a list of module names, was " + t);
        }
        float dropout = (float) root.path("lora_dropout").asDouble(0.0);
        LoraConfig config = new LoraConfig(r.asInt(), (float) alpha.asDouble(), targets, dropout);
        String base = root.path("base_model_name_or_path").isTextual() ? root.get("base_model_name_or_path").asText() : "";
        String task = root.path("task_type").isTextual() ? root.get("task_type").asText() : LoraAdapter.CAUSAL_LM;
        return new Parsed(config, base, task, root.path("fan_in_fan_out").asBoolean(false));
    }

    private static void refuseTrue(JsonNode root, String field, String why) {
        if (root.path(field).asBoolean(false)) {
            throw new IllegalArgumentException(field + " is true: " + why);
        }
    }

    private static void refuseNonEmpty(JsonNode root, String field, String why) {
        JsonNode n = root.get(field);
        if (n != null && !n.isNull() && !(n.isContainerNode() && n.isEmpty())) {
            throw new IllegalArgumentException(field + " is " + n + ": " + why);
        }
    }
}
