package org.transformer4j.lora;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.transformer4j.io.CheckpointFormatException;
import org.transformer4j.io.Safetensors;
import org.transformer4j.model.ModelDirectory;
import org.transformer4j.tensor.HostTensor;
import org.transformer4j.tensor.Shape;

/**
 * A trained LoRA adapter as PEFT stores it: a directory with {@code adapter_config.json} (see
 * {@link AdapterConfigJson}) and {@code adapter_model.safetensors}, whose tensors are
 * {@code base_model.model.<layer>.lora_A.weight [r, in]} and {@code base_model.model.<layer>.lora_B.weight [out, r]}
 * for every adapted linear layer ({@code <layer>} is the module path in the base model, e.g.
 * {@code model.layers.0.self_attn.q_proj} or, for GPT-2, {@code transformer.h.0.attn.c_attn}). The shapes are the
 * same whether the base stores the layer as {@code nn.Linear [out, in]} or as GPT-2's Conv1D {@code [in, out]}
 * ({@code fan_in_fan_out} true): only where the merged delta goes differs, and this project's weights are always
 * {@code [out, in]} in memory.
 *
 * <p>An adapter is applied by {@link #merge}: {@code W' = W + (alpha/r)·B·A} for each adapted layer, which is what
 * PEFT's {@code merge_and_unload} computes, so a merged model runs at the base model's speed on every backend.
 * Reading back what {@link #save} wrote gives an equal adapter.
 *
 * @param config      rank, alpha, targets and dropout
 * @param baseModel   {@code base_model_name_or_path}: the directory (or hub id) of the base model; may be empty
 * @param taskType    PEFT's {@code task_type}, {@code CAUSAL_LM} for decoder-only models
 * @param fanInFanOut whether the base stores the adapted layers as Conv1D {@code [in, out]} (Hugging Face GPT-2)
 * @param tensors     the A and B matrices under PEFT's names, float32
 */
public record LoraAdapter(LoraConfig config, String baseModel, String taskType, boolean fanInFanOut,
                          Map<String, HostTensor> tensors) {
    /** PEFT's adapter configuration file. */
    public static final String CONFIG = "adapter_config.json";
    /** PEFT's adapter weights file. */
    public static final String WEIGHTS = "adapter_model.safetensors";
    /** PEFT's task type of decoder-only language models. */
    public static final String CAUSAL_LM = "CAUSAL_LM";

    private static final String A = ".lora_A.weight";
    private static final String B = ".lora_B.weight";

    /**
     * Copies the tensors as float32 and checks them against the config; a null base model becomes empty, a null
     * task type {@code CAUSAL_LM}.
     *
     * @throws IllegalArgumentException listing what is wrong: a name that is not a LoRA matrix, an A without its B
     *     (or the reverse), a shape whose rank is not r, or no tensors at all
     */
    public LoraAdapter {
        Objects.requireNonNull(config, "config");
        baseModel = baseModel == null ? "" : baseModel;
        taskType = taskType == null ? CAUSAL_LM : taskType;
        Map<String, HostTensor> copy = new LinkedHashMap<>();
        tensors.forEach((k, v) -> copy.put(k, v.toFloat32()));
        tensors = java.util.Collections.unmodifiableMap(copy);
        List<String> problems = check(config, tensors);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("not a LoRA adapter of rank " + config.rank() + ": "
                    + String.join("; ", problems));
        }
    }

    /** {@return the adapted layers' names, in the order of the tensors} */
    public List<String> layers() {
        List<String> out = new ArrayList<>();
        for (String name : tensors.keySet()) {
            if (name.endsWith(A)) {
                out.add(name.substring(LoraModel.PREFIX.length(), name.length() - A.length()));
            }
        }
        return out;
    }

    /** What is wrong with these tensors for this config (names, pairs, shapes); empty when nothing is. */
    private static List<String> check(LoraConfig config, Map<String, HostTensor> tensors) {
        List<String> problems = new ArrayList<>();
        int r = config.rank();
        for (var e : tensors.entrySet()) {
            String name = e.getKey();
            Shape s = e.getValue().shape();
            boolean isA = name.endsWith(A);
            if (!name.startsWith(LoraModel.PREFIX) || !(isA || name.endsWith(B))) {
                problems.add("tensor '" + name + "' is not a LoRA matrix (expected " + LoraModel.PREFIX
                        + "<layer>.lora_A.weight or .lora_B.weight; DoRA magnitudes, embedding adapters, biases and "
                        + "modules_to_save are not supported)");
                continue;
            }
            String layer = name.substring(LoraModel.PREFIX.length(), name.length() - A.length());
            String partner = LoraModel.PREFIX + layer + (isA ? B : A);
            HostTensor other = tensors.get(partner);
            if (other == null) {
                problems.add("'" + name + "' has no partner '" + partner + "'");
            } else if (s.rank() != 2 || (isA ? s.dim(0) : s.dim(1)) != r) {
                problems.add("'" + name + "' has shape " + s + " but lora_" + (isA ? "A is [r, in]" : "B is [out, r]")
                        + " with r = " + r);
            }
        }
        if (tensors.isEmpty()) {
            problems.add("it holds no tensors");
        }
        return problems;
    }

    /**
     * Reads an adapter directory (adapter_config.json and adapter_model.safetensors), refusing what it cannot honour.
     *
     * @param dir the directory PEFT's {@code save_pretrained} (or {@link #save}) wrote
     * @return the adapter
     * @throws IOException when the directory or a file is missing or cannot be read, or a file is malformed or
     *     describes an adapter this project does not support ({@link CheckpointFormatException}, naming the file)
     */
    public static LoraAdapter load(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new NoSuchFileException(dir.toString(), null, "not an adapter directory (expected " + CONFIG + " and "
                    + WEIGHTS + " inside, as PEFT's save_pretrained writes them)");
        }
        Path configFile = dir.resolve(CONFIG);
        if (!Files.isRegularFile(configFile)) {
            throw new NoSuchFileException(configFile.toString(), null, "missing: " + dir + " is not a PEFT adapter"
                    + " directory (train one with: transformer4j train --init-from BASE --lora-rank 8 --out DIR)");
        }
        AdapterConfigJson.Parsed parsed;
        try {
            parsed = AdapterConfigJson.fromJson(Files.readString(configFile));
        } catch (IllegalArgumentException e) {
            throw new CheckpointFormatException(configFile, e.getMessage(), e);
        }
        Path weights = dir.resolve(WEIGHTS);
        if (!Files.isRegularFile(weights)) {
            boolean pickle = Files.isRegularFile(dir.resolve("adapter_model.bin"));
            throw new NoSuchFileException(weights.toString(), null, pickle
                    ? "missing; the directory has adapter_model.bin (a PyTorch pickle, which is not read here): save "
                    + "the adapter again with PEFT's save_pretrained(dir, safe_serialization=True)"
                    : "missing: the adapter's tensors must be in " + WEIGHTS);
        }
        Map<String, HostTensor> tensors = Safetensors.read(weights).tensors();
        try {
            return new LoraAdapter(parsed.config(), parsed.baseModel(), parsed.taskType(), parsed.fanInFanOut(),
                    tensors);
        } catch (IllegalArgumentException e) {
            throw new CheckpointFormatException(weights, e.getMessage() + " (r = " + parsed.config().rank() + " from "
                    + CONFIG + ")", e);
        }
    }

    /**
     * Writes {@code adapter_config.json} and {@code adapter_model.safetensors} into a directory, each atomically.
     *
     * @param dir the directory, created if absent
     * @throws IOException when {@code dir} is a file or a file cannot be written
     */
    public void save(Path dir) throws IOException {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new NotDirectoryException(dir + ": cannot save an adapter there, it is a file; pick another path");
        }
        Files.createDirectories(dir);
        Safetensors.write(dir.resolve(WEIGHTS), tensors, Map.of("format", "pt"));
        org.transformer4j.io.AtomicFiles.writeString(dir.resolve(CONFIG), AdapterConfigJson.toJson(this));
    }

    /**
     * The base weights with this adapter merged in: {@code W + (alpha/r)·B·A} for every adapted layer (products
     * summed in double), every other weight as it is (the same arrays).
     *
     * @param baseWeights the base model's weights by name, linear weights {@code [out, in]}
     * @return a new map with the merged weights
     * @throws IllegalArgumentException naming the layer when the base has no such linear layer or its shape is not
     *     {@code [out, in]} of the adapter's matrices
     */
    public Map<String, HostTensor> merge(Map<String, HostTensor> baseWeights) {
        Map<String, HostTensor> out = new LinkedHashMap<>(baseWeights);
        List<String> problems = new ArrayList<>();
        double scale = config.scale();
        for (String layer : layers()) {
            HostTensor w = baseWeights.get(layer + ".weight");
            float[] a = tensors.get(LoraModel.loraA(layer)).floats();
            float[] b = tensors.get(LoraModel.loraB(layer)).floats();
            Shape as = tensors.get(LoraModel.loraA(layer)).shape();
            Shape bs = tensors.get(LoraModel.loraB(layer)).shape();
            int r = as.dim(0);
            int in = as.dim(1);
            int o = bs.dim(0);
            if (w == null) {
                problems.add("the base model has no linear layer '" + layer + "' (no weight " + layer + ".weight)");
                continue;
            }
            if (!w.shape().equals(Shape.of(o, in))) {
                problems.add("'" + layer + ".weight' is " + w.shape() + " but the adapter's B·A is " + Shape.of(o, in));
                continue;
            }
            float[] base = w.toFloat32().floats();
            float[] merged = new float[base.length];
            for (int i = 0; i < o; i++) {
                for (int j = 0; j < in; j++) {
                    double s = 0;
                    for (int k = 0; k < r; k++) {
                        s += (double) b[i * r + k] * a[k * in + j];
                    }
                    merged[i * in + j] = (float) (base[i * in + j] + scale * s);
                }
            }
            out.put(layer + ".weight", HostTensor.ofFloats(w.shape(), merged));
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("the adapter does not fit this base model ("
                    + (baseModel.isEmpty() ? "no base_model_name_or_path recorded" : "it was trained on " + baseModel)
                    + "): " + String.join("; ", problems.subList(0, Math.min(5, problems.size())))
                    + (problems.size() > 5 ? "; and " + (problems.size() - 5) + " more" : ""));
        }
        return out;
    }

    /**
     * The model directory with this adapter merged into its weights (layout, tokenizer and defaults kept).
     *
     * @param base the base model's directory
     * @return a directory that differs from {@code base} only in its weights
     * @throws IllegalArgumentException when the adapter does not fit the base (see {@link #merge(Map)})
     */
    public ModelDirectory merge(ModelDirectory base) {
        return base.withWeights(merge(base.weights()));
    }
}
