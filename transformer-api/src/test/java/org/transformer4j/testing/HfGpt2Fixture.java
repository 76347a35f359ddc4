package org.transformer4j.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.transformer4j.tokenizer.CharTokenizer;
import org.transformer4j.tokenizer.Tokenizers;

/**
 * A GPT-2 with random weights written the way Hugging Face writes one, by code independent of the project's
 * writers: a GPT2Config {@code config.json}, {@code model.safetensors} (or shards + index) with GPT-2's names and
 * Conv1D {@code [in, out]} layout, encoded here byte by byte as F32, F16 or BF16, and {@code generation_config.json}.
 * The weights are held in double, already rounded to the stored precision, so that {@link Gpt2Reference} computes
 * exactly what the file holds. The tokenizer is the project's own tokenizer.json (a character tokenizer), until
 * Hugging Face's tokenizer.json is read.
 */
public final class HfGpt2Fixture {
    /** How a tensor is stored. */
    public enum StoredType { F32, F16, BF16 }

    /** The architecture: GPT2Config's fields. */
    public record Sizes(int layers, int heads, int width, int vocab, int positions, int inner) {
        /** 2 layers, 4 heads, 64 wide, vocabulary 100, context 32: the tiny GPT-2 of the tests. */
        public static Sizes tiny() {
            return new Sizes(2, 4, 64, 100, 32, 256);
        }

        /** GPT-2 small: 12 layers, 12 heads, 768 wide, 50,257 tokens, 1024 positions. */
        public static Sizes small() {
            return new Sizes(12, 12, 768, 50257, 1024, 3072);
        }
    }

    private final Sizes sizes;
    private final boolean tied;
    /** Hugging Face names (without prefix) to {shape, values}. */
    private final Map<String, int[]> shapes = new LinkedHashMap<>();
    private final Map<String, float[]> values = new LinkedHashMap<>();

    private HfGpt2Fixture(Sizes sizes, boolean tied) {
        this.sizes = sizes;
        this.tied = tied;
    }

    /**
     * Seeded random weights: N(0, 0.02²)-like uniform matrices (scaled up to 0.2 for the tiny model so that the
     * logits are not all near zero), layer-norm gains around 1 and biases around 0, rounded to {@code precision}.
     */
    public static HfGpt2Fixture random(Sizes s, boolean tied, StoredType precision, long seed) {
        HfGpt2Fixture f = new HfGpt2Fixture(s, tied);
        SplittableRandom rnd = new SplittableRandom(seed);
        float scale = s.width() <= 128 ? 0.2f : 0.02f;
        int c = s.width();
        f.put("wte.weight", rnd, precision, scale, 0, s.vocab(), c);
        f.put("wpe.weight", rnd, precision, scale, 0, s.positions(), c);
        for (int i = 0; i < s.layers(); i++) {
            String h = "h." + i + ".";
            f.put(h + "ln_1.weight", rnd, precision, 0.2f, 1, c);
            f.put(h + "ln_1.bias", rnd, precision, 0.2f, 0, c);
            f.put(h + "attn.c_attn.weight", rnd, precision, scale, 0, c, 3 * c);
            f.put(h + "attn.c_attn.bias", rnd, precision, 0.1f, 0, 3 * c);
            f.put(h + "attn.c_proj.weight", rnd, precision, scale, 0, c, c);
            f.put(h + "attn.c_proj.bias", rnd, precision, 0.1f, 0, c);
            f.put(h + "ln_2.weight", rnd, precision, 0.2f, 1, c);
            f.put(h + "ln_2.bias", rnd, precision, 0.2f, 0, c);
            f.put(h + "mlp.c_fc.weight", rnd, precision, scale, 0, c, s.inner());
            f.put(h + "mlp.c_fc.bias", rnd, precision, 0.1f, 0, s.inner());
            f.put(h + "mlp.c_proj.weight", rnd, precision, scale, 0, s.inner(), c);
            f.put(h + "mlp.c_proj.bias", rnd, precision, 0.1f, 0, c);
        }
        f.put("ln_f.weight", rnd, precision, 0.2f, 1, c);
        f.put("ln_f.bias", rnd, precision, 0.2f, 0, c);
        if (!tied) {
            f.put("lm_head.weight", rnd, precision, scale, 0, s.vocab(), c);
        }
        return f;
    }

    private void put(String name, SplittableRandom rnd, StoredType precision, float scale, float center, int... shape) {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = round(center + scale * (float) (2 * rnd.nextDouble() - 1), precision);
        }
        shapes.put(name, shape);
        values.put(name, v);
    }

    private static float round(float v, StoredType t) {
        return switch (t) {
            case F32 -> v;
            case F16 -> Float.float16ToFloat(Float.floatToFloat16(v));
            case BF16 -> Float.intBitsToFloat(bf16(v) << 16);
        };
    }

    /** Round-to-nearest-even bfloat16 bits of a finite float. */
    private static int bf16(float v) {
        int bits = Float.floatToRawIntBits(v);
        return (bits + 0x7FFF + ((bits >>> 16) & 1)) >>> 16;
    }

    public Sizes sizes() {
        return sizes;
    }

    public boolean tied() {
        return tied;
    }

    /** The weight {@code name} (Hugging Face name, no prefix; Conv1D ones [in, out]) as stored. */
    public float[] weight(String name) {
        float[] v = values.get(name);
        if (v == null) {
            throw new IllegalArgumentException("no weight " + name);
        }
        return v;
    }

    /** Replaces one value of a weight (to plant a NaN, say). */
    public void set(String name, int index, float value) {
        weight(name)[index] = value;
    }

    /** The tensor names, in writing order. */
    public List<String> names() {
        return new ArrayList<>(values.keySet());
    }

    /** How to write a directory. */
    public record Layout(StoredType type, boolean prefixed, int shards, boolean withHeadWhenTied,
                         boolean withMaskBuffers) {
        public static Layout plain(StoredType type) {
            return new Layout(type, false, 1, false, false);
        }
    }

    /** Writes config.json, the weights, generation_config.json and tokenizer.json into {@code dir}. */
    public void write(Path dir, Layout layout) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("config.json"), configJson(Map.of()));
        Files.writeString(dir.resolve("generation_config.json"), """
                {"_from_model_config": true, "bos_token_id": 0, "eos_token_id": 1, "transformers_version": "4.40.0"}
                """);
        Tokenizers.save(tokenizer(sizes.vocab()), dir.resolve("tokenizer.json"));
        Map<String, float[]> tensors = new LinkedHashMap<>();
        Map<String, int[]> dims = new LinkedHashMap<>();
        String prefix = layout.prefixed() ? "transformer." : "";
        for (String name : values.keySet()) {
            String stored = name.equals("lm_head.weight") ? name : prefix + name;
            tensors.put(stored, values.get(name));
            dims.put(stored, shapes.get(name));
            if (layout.withMaskBuffers() && name.endsWith("ln_1.bias")) {
                String mask = prefix + name.replace("ln_1.bias", "attn.bias");
                int t = sizes.positions();
                float[] m = new float[t * t];
                for (int i = 0; i < t; i++) {
                    for (int j = 0; j <= i; j++) {
                        m[i * t + j] = 1f;
                    }
                }
                tensors.put(mask, m);
                dims.put(mask, new int[] {1, 1, t, t});
            }
        }
        if (tied && layout.withHeadWhenTied()) {
            tensors.put("lm_head.weight", values.get("wte.weight"));
            dims.put("lm_head.weight", shapes.get("wte.weight"));
        }
        if (layout.shards() <= 1) {
            writeSafetensors(dir.resolve("model.safetensors"), tensors, dims, layout.type());
            return;
        }
        List<String> names = new ArrayList<>(tensors.keySet());
        StringBuilder map = new StringBuilder();
        int per = (names.size() + layout.shards() - 1) / layout.shards();
        for (int s = 0; s < layout.shards(); s++) {
            String file = String.format(Locale.ROOT, "model-%05d-of-%05d.safetensors", s + 1, layout.shards());
            Map<String, float[]> part = new LinkedHashMap<>();
            Map<String, int[]> partDims = new LinkedHashMap<>();
            for (String n : names.subList(Math.min(names.size(), s * per), Math.min(names.size(), (s + 1) * per))) {
                part.put(n, tensors.get(n));
                partDims.put(n, dims.get(n));
                map.append(map.isEmpty() ? "" : ",\n").append("    \"").append(n).append("\": \"").append(file).append('"');
            }
            writeSafetensors(dir.resolve(file), part, partDims, layout.type());
        }
        Files.writeString(dir.resolve("model.safetensors.index.json"),
                "{\n  \"metadata\": {\"total_size\": 0},\n  \"weight_map\": {\n" + map + "\n  }\n}\n");
    }

    /** GPT2Config text; {@code extra} fields (raw JSON values) are added or replace the standard ones. */
    public String configJson(Map<String, String> extra) {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("activation_function", "\"gelu_new\"");
        f.put("architectures", "[\"GPT2LMHeadModel\"]");
        f.put("attn_pdrop", "0.1");
        f.put("bos_token_id", "0");
        f.put("embd_pdrop", "0.1");
        f.put("eos_token_id", "1");
        f.put("initializer_range", "0.02");
        f.put("layer_norm_epsilon", "1e-05");
        f.put("model_type", "\"gpt2\"");
        f.put("n_ctx", String.valueOf(sizes.positions()));
        f.put("n_embd", String.valueOf(sizes.width()));
        f.put("n_head", String.valueOf(sizes.heads()));
        f.put("n_inner", sizes.inner() == 4 * sizes.width() ? "null" : String.valueOf(sizes.inner()));
        f.put("n_layer", String.valueOf(sizes.layers()));
        f.put("n_positions", String.valueOf(sizes.positions()));
        f.put("reorder_and_upcast_attn", "false");
        f.put("resid_pdrop", "0.1");
        f.put("scale_attn_by_inverse_layer_idx", "false");
        f.put("scale_attn_weights", "true");
        f.put("summary_activation", "null");
        f.put("summary_first_dropout", "0.1");
        f.put("summary_proj_to_labels", "true");
        f.put("summary_type", "\"cls_index\"");
        f.put("summary_use_proj", "true");
        f.put("task_specific_params", "{\"text-generation\": {\"do_sample\": true, \"max_length\": 50}}");
        f.put("tie_word_embeddings", String.valueOf(tied));
        f.put("torch_dtype", "\"float32\"");
        f.put("transformers_version", "\"4.40.0\"");
        f.put("use_cache", "true");
        f.put("vocab_size", String.valueOf(sizes.vocab()));
        f.putAll(extra);
        StringBuilder b = new StringBuilder("{\n");
        f.forEach((k, v) -> {
            if (v != null) {
                b.append(b.length() > 2 ? ",\n" : "").append("  \"").append(k).append("\": ").append(v);
            }
        });
        return b.append("\n}\n").toString();
    }

    /** A character tokenizer of {@code min(vocab, 90)} printable characters (the rest of the vocabulary unused). */
    public static CharTokenizer tokenizer(int vocab) {
        StringBuilder chars = new StringBuilder();
        for (int ch = 32; ch < 127 && chars.length() < Math.min(vocab, 90); ch++) {
            chars.append((char) ch);
        }
        return CharTokenizer.fromText(chars.toString());
    }

    /** A safetensors file written from the format's description, independently of the project's writer. */
    public static void writeSafetensors(Path file, Map<String, float[]> tensors, Map<String, int[]> dims, StoredType type)
            throws IOException {
        int size = type == StoredType.F32 ? 4 : 2;
        StringBuilder h = new StringBuilder("{\"__metadata__\":{\"format\":\"pt\"}");
        long offset = 0;
        for (var e : tensors.entrySet()) {
            long bytes = (long) e.getValue().length * size;
            StringBuilder shape = new StringBuilder();
            for (int d : dims.get(e.getKey())) {
                shape.append(shape.isEmpty() ? "" : ",").append(d);
            }
            h.append(",\"").append(e.getKey()).append("\":{\"dtype\":\"").append(type).append("\",\"shape\":[")
                    .append(shape).append("],\"data_offsets\":[").append(offset).append(',').append(offset + bytes).append("]}");
            offset += bytes;
        }
        h.append('}');
        byte[] header = h.toString().getBytes(StandardCharsets.UTF_8);
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).array());
            out.write(header);
            for (float[] v : tensors.values()) {
                ByteBuffer buf = ByteBuffer.allocate(v.length * size).order(ByteOrder.LITTLE_ENDIAN);
                for (float x : v) {
                    switch (type) {
                        case F32 -> buf.putFloat(x);
                        case F16 -> buf.putShort(Float.floatToFloat16(x));
                        case BF16 -> buf.putShort((short) bf16(x));
                    }
                }
                out.write(buf.array());
            }
        }
    }
}
