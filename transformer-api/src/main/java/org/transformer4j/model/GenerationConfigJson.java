package org.transformer4j.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Hugging Face's {@code generation_config.json} to and from {@link GenerationDefaults}: {@code max_new_tokens},
 * {@code do_sample}, {@code temperature}, {@code top_k}, {@code top_p}, {@code bos_token_id}, {@code eos_token_id}
 * (an id or a list of ids). Other fields (beam settings, {@code max_length}, {@code transformers_version}, ...) are
 * ignored and logged at debug level; a field of the wrong type is refused naming it.
 */
final class GenerationConfigJson {
    static final String FILE = "generation_config.json";
    private static final System.Logger LOG = System.getLogger(GenerationConfigJson.class.getName());
    private static final Set<String> USED = Set.of("max_new_tokens", "do_sample", "temperature", "top_k", "top_p",
            "bos_token_id", "eos_token_id");

    private GenerationConfigJson() {
    }

    /** Reads the file's text; {@code fallbackBos/Eos} (config.json's ids, -1 when absent) fill the ids it lacks. */
    static GenerationDefaults fromJson(String json, int fallbackBos, int fallbackEos) {
        return fromJson(json, fromIds(fallbackBos, fallbackEos));
    }

    /**
     * Reads the file's text; the ids of {@code fallback} (config.json's {@code bos/eos_token_id}) fill the ids it
     * lacks.
     */
    static GenerationDefaults fromJson(String json, GenerationDefaults fallback) {
        JsonNode root = ModelConfigJson.parse(json, FILE);
        root.fieldNames().forEachRemaining(f -> {
            if (!USED.contains(f)) {
                LOG.log(System.Logger.Level.DEBUG, "{0}: ignoring field {1}", FILE, f);
            }
        });
        OptionalInt maxNew = has(root, "max_new_tokens") ? OptionalInt.of(nonNegative(root, "max_new_tokens")) : OptionalInt.empty();
        Optional<Boolean> sample = has(root, "do_sample") ? Optional.of(ModelConfigJson.bool(root, "do_sample")) : Optional.empty();
        OptionalDouble temp = has(root, "temperature") ? OptionalDouble.of(ModelConfigJson.number(root, "temperature")) : OptionalDouble.empty();
        OptionalInt topK = has(root, "top_k") ? OptionalInt.of(nonNegative(root, "top_k")) : OptionalInt.empty();
        OptionalDouble topP = has(root, "top_p") ? OptionalDouble.of(ModelConfigJson.number(root, "top_p")) : OptionalDouble.empty();
        OptionalInt bos = has(root, "bos_token_id") ? OptionalInt.of(nonNegative(root, "bos_token_id"))
                : fallback.bosTokenId();
        Set<Integer> eos = has(root, "eos_token_id") ? eosIds(root, FILE) : fallback.eosTokenIds();
        return new GenerationDefaults(maxNew, sample, temp, topK, topP, eos, bos);
    }

    /**
     * The ids of a config.json (or generation_config.json) tree: {@code bos_token_id} (an id or null) and
     * {@code eos_token_id} (an id, a list of ids as Llama 3.1 has, or null); nothing else.
     */
    static GenerationDefaults fromIds(JsonNode root, String file) {
        OptionalInt bos = has(root, "bos_token_id") ? OptionalInt.of(nonNegative(root, "bos_token_id", file))
                : OptionalInt.empty();
        Set<Integer> eos = has(root, "eos_token_id") ? eosIds(root, file) : Set.of();
        return new GenerationDefaults(OptionalInt.empty(), Optional.empty(), OptionalDouble.empty(), OptionalInt.empty(),
                OptionalDouble.empty(), eos, bos);
    }

    private static Set<Integer> eosIds(JsonNode root, String file) {
        Set<Integer> eos = new LinkedHashSet<>();
        JsonNode e = root.get("eos_token_id");
        if (e.isArray()) {
            for (JsonNode id : e) {
                if (!id.isIntegralNumber() || !id.canConvertToInt() || id.intValue() < 0) {
                    throw new ConfigException(file + ": eos_token_id must be a token id or a list of them, was " + e);
                }
                eos.add(id.intValue());
            }
        } else {
            eos.add(nonNegative(root, "eos_token_id", file));
        }
        return eos;
    }

    /** The defaults from config.json's ids alone, for a directory without the file. */
    static GenerationDefaults fromIds(int bos, int eos) {
        return new GenerationDefaults(OptionalInt.empty(), Optional.empty(), OptionalDouble.empty(), OptionalInt.empty(),
                OptionalDouble.empty(), eos >= 0 ? Set.of(eos) : Set.of(), bos >= 0 ? OptionalInt.of(bos) : OptionalInt.empty());
    }

    /** The file's text: only the values that are set. */
    static String toJson(GenerationDefaults d) {
        ObjectNode o = ModelConfigJson.object();
        d.bosTokenId().ifPresent(v -> o.put("bos_token_id", v));
        if (d.eosTokenIds().size() == 1) {
            o.put("eos_token_id", d.eosTokenIds().iterator().next());
        } else if (!d.eosTokenIds().isEmpty()) {
            var a = o.putArray("eos_token_id");
            d.eosTokenIds().stream().sorted().forEach(a::add);
        }
        d.maxNewTokens().ifPresent(v -> o.put("max_new_tokens", v));
        d.doSample().ifPresent(v -> o.put("do_sample", v));
        d.temperature().ifPresent(v -> o.put("temperature", v));
        d.topK().ifPresent(v -> o.put("top_k", v));
        d.topP().ifPresent(v -> o.put("top_p", v));
        return ModelConfigJson.write(o);
    }

    private static boolean has(JsonNode root, String field) {
        return root.has(field) && !root.get(field).isNull();
    }

    private static int nonNegative(JsonNode root, String field) {
        return nonNegative(root, field, FILE);
    }

    private static int nonNegative(JsonNode root, String field, String file) {
        int v;
        try {
            v = ModelConfigJson.integer(root, field);
        } catch (ConfigException e) {
            throw new ConfigException(file + ": " + e.getMessage(), e);
        }
        if (v < 0) {
            throw new ConfigException(file + ": " + field + " must be >= 0, was " + v);
        }
        return v;
    }
}
