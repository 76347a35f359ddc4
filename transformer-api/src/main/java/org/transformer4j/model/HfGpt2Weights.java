package org.transformer4j.model;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.transformer4j.io.CheckpointFormatException;
import org.transformer4j.nn.ParameterSpec;
import org.transformer4j.tensor.DType;
import org.transformer4j.tensor.HostTensor;
import org.transformer4j.tensor.Shape;

/**
 * Hugging Face GPT-2 weight names and layout to and from {@link GptModel}'s. Both use nanoGPT's names; Hugging Face
 * stores them without or (from {@code GPT2LMHeadModel.save_pretrained}) with the {@code transformer.} prefix, and its
 * four {@code Conv1D} layers ({@code attn.c_attn}, {@code attn.c_proj}, {@code mlp.c_fc}, {@code mlp.c_proj}) keep
 * the weight as {@code [in, out]}, the transpose of {@code nn.Linear}'s {@code [out, in]} used here. The causal-mask
 * buffers {@code attn.bias} / {@code attn.masked_bias} of older checkpoints are dropped; {@code lm_head.weight} is
 * required when the head is untied and, when tied, may duplicate {@code wte.weight}.
 */
final class HfGpt2Weights {
    private static final String PREFIX = "transformer.";
    private static final String HEAD = "lm_head.weight";

    private HfGpt2Weights() {
    }

    /** True for the four Conv1D weights stored {@code [in, out]}. */
    static boolean isConv1D(String name) {
        return name.endsWith(".attn.c_attn.weight") || name.endsWith(".attn.c_proj.weight")
                || name.endsWith(".mlp.c_fc.weight") || name.endsWith(".mlp.c_proj.weight");
    }

    /**
     * The model's weights, in parameter order and under its names, from a Hugging Face GPT-2 state dict; fails
     * naming every missing, unexpected or mis-shaped tensor (by its Hugging Face name and shape).
     *
     * @param file      the checkpoint the state dict came from, for messages
     * @param stateDict when modifiable, emptied and its tensors given up: the Conv1D weights are then transposed in
     *                  their own arrays (through one scratch matrix), so loading holds the weights once, not the
     *                  weights plus the transposed copies; an unmodifiable map's tensors are left as they are
     */
    static Map<String, HostTensor> fromHuggingFace(Path file, GptConfig config, Map<String, HostTensor> stateDict)
            throws CheckpointFormatException {
        Map<String, HostTensor> given = new LinkedHashMap<>();
        Map<String, String> original = new LinkedHashMap<>();
        for (var e : stateDict.entrySet()) {
            String name = e.getKey();
            if (name.endsWith(".attn.bias") || name.endsWith(".attn.masked_bias")) {
                continue;
            }
            String ours = name.equals(HEAD) || name.startsWith(PREFIX) ? name : PREFIX + name;
            if (given.put(ours, e.getValue()) != null) {
                throw new CheckpointFormatException(file, "'" + name + "' is there twice, with and without the '"
                        + PREFIX + "' prefix; keep one");
            }
            original.put(ours, name);
        }
        boolean owned;
        try {
            stateDict.clear(); // the caller's copy: its tensors are ours to transpose in place
            owned = true;
        } catch (UnsupportedOperationException unmodifiable) {
            owned = false; // the caller keeps its map and tensors; transposes are copies
        }
        float[] scratch = owned ? new float[0] : null;
        List<String> problems = new ArrayList<>();
        HostTensor head = given.remove(HEAD);
        String wte = PREFIX + "wte.weight";
        if (config.tiedEmbeddings() && head != null) {
            HostTensor embedding = given.get(wte);
            if (embedding != null && !head.equals(embedding)) {
                problems.add("'lm_head.weight' differs from 'wte.weight' although config.json sets tie_word_embeddings"
                        + " true (default): set \"tie_word_embeddings\": false for this untied checkpoint");
            }
        }
        Map<String, HostTensor> out = new LinkedHashMap<>();
        for (ParameterSpec spec : ModelDirectory.modelFor(config).parameterSpecs()) {
            String ours = spec.name();
            HostTensor t = ours.equals(HEAD) ? head : given.remove(ours);
            String hfName = original.getOrDefault(ours, ours.equals(HEAD) ? HEAD : ours.substring(PREFIX.length()));
            Shape stored = isConv1D(ours) ? transposed(spec.shape()) : spec.shape();
            if (t == null) {
                problems.add("missing '" + hfName + "' " + stored);
            } else if (t.dtype() != DType.FLOAT32) {
                problems.add("'" + hfName + "' is " + t.dtype() + "; weights must be F32, F16 or BF16");
            } else if (!t.shape().equals(stored)) {
                problems.add(shapeProblem(config, ours, hfName, t.shape(), stored));
            } else {
                if (isConv1D(ours)) {
                    if (scratch != null && scratch.length < t.shape().size()) {
                        scratch = new float[t.shape().size()];
                    }
                    out.put(ours, scratch != null ? transposeInPlace(t, scratch) : transpose(t));
                } else {
                    out.put(ours, t);
                }
            }
        }
        for (String extra : given.keySet()) {
            problems.add("unexpected '" + original.get(extra) + "' (not a weight of a GPT-2 with " + config.layers()
                    + " layers)");
        }
        if (!problems.isEmpty()) {
            int shown = Math.min(problems.size(), 10);
            throw new CheckpointFormatException(file, "the weights do not match config.json: "
                    + String.join("; ", problems.subList(0, shown))
                    + (problems.size() > shown ? "; and " + (problems.size() - shown) + " more" : ""));
        }
        return out;
    }

    private static String shapeProblem(GptConfig config, String ours, String hfName, Shape got, Shape want) {
        if (ours.equals(PREFIX + "wte.weight") && got.rank() == 2 && got.dim(1) == want.dim(1)) {
            return "'" + hfName + "' has " + got.dim(0) + " rows (tokens) but config.json's vocab_size is "
                    + config.vocabSize() + ": the embedding and the config disagree";
        }
        return "'" + hfName + "' has shape " + got + " but config.json needs " + want
                + (isConv1D(ours) ? " (Conv1D, stored [in, out])" : "");
    }

    /**
     * The Hugging Face state dict of the model's weights: {@code transformer.}-prefixed names as
     * {@code GPT2LMHeadModel.save_pretrained} writes them, Conv1D weights transposed to {@code [in, out]},
     * {@code lm_head.weight} only when untied.
     */
    static Map<String, HostTensor> toHuggingFace(Map<String, HostTensor> weights) {
        Map<String, HostTensor> out = new LinkedHashMap<>();
        for (var e : weights.entrySet()) {
            out.put(e.getKey(), isConv1D(e.getKey()) ? transpose(e.getValue()) : e.getValue());
        }
        return out;
    }

    private static Shape transposed(Shape s) {
        return Shape.of(s.dim(1), s.dim(0));
    }

    /** The transpose of a matrix, blocked so both sides stream through the cache. */
    static HostTensor transpose(HostTensor t) {
        float[] b = new float[t.shape().size()];
        transpose(t.floats(), t.shape().dim(0), t.shape().dim(1), b);
        return HostTensor.ofFloats(Shape.of(t.shape().dim(1), t.shape().dim(0)), b);
    }

    /**
     * The transpose of a matrix written over its own array (which {@code t} then no longer describes): copied into
     * {@code scratch} (at least the matrix's size) and transposed back.
     */
    static HostTensor transposeInPlace(HostTensor t, float[] scratch) {
        float[] a = t.floats();
        System.arraycopy(a, 0, scratch, 0, a.length);
        transpose(scratch, t.shape().dim(0), t.shape().dim(1), a);
        return HostTensor.ofFloats(Shape.of(t.shape().dim(1), t.shape().dim(0)), a);
    }

    /** {@code b [cols x rows]} = the transpose of {@code a [rows x cols]}. */
    private static void transpose(float[] a, int rows, int cols, float[] b) {
        final int blk = 64;
        for (int i0 = 0; i0 < rows; i0 += blk) {
            int i1 = Math.min(rows, i0 + blk);
            for (int j0 = 0; j0 < cols; j0 += blk) {
                int j1 = Math.min(cols, j0 + blk);
                for (int i = i0; i < i1; i++) {
                    for (int j = j0; j < j1; j++) {
                        b[j * rows + i] = a[i * cols + j];
                    }
                }
            }
        }
    }
}
