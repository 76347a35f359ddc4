package org.transformer4j.train;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.transformer4j.io.CheckpointFormatException;
import org.transformer4j.io.Safetensors;
import org.transformer4j.io.SafetensorsFile;
import org.transformer4j.tensor.HostTensor;

/**
 * Saves and loads a {@link TrainingCheckpoint} as ONE safetensors file, written atomically, so a crash
 * mid-save leaves the previous checkpoint whole. Keys: {@code model.<name>} (weights),
 * {@code adamw.m.<name>} and {@code adamw.v.<name>} (moments); metadata {@code format}, {@code step} and
 * {@code train_position}.
 */
public final class TrainingCheckpoints {
    /** The file name used inside a model directory. */
    public static final String FILE_NAME = "training_state.safetensors";
    private static final String FORMAT = "transformer4j-training-state-1";

    private TrainingCheckpoints() {
    }

    /**
     * Writes {@code c} to {@code file} atomically.
     *
     * @param file the file, e.g. {@code <model dir>/training_state.safetensors}
     * @param c the checkpoint
     * @throws IOException when the file cannot be written; the previous one is then whole
     */
    public static void save(Path file, TrainingCheckpoint c) throws IOException {
        Map<String, HostTensor> all = new LinkedHashMap<>();
        c.weights().forEach((k, v) -> all.put("model." + k, v));
        c.weights().keySet().forEach(k -> {
            all.put("adamw.m." + k, c.optimizer().m().get(k));
            all.put("adamw.v." + k, c.optimizer().v().get(k));
        });
        Map<String, String> meta = Map.of("format", FORMAT, "step", Long.toString(c.step()),
                "train_position", Long.toString(c.trainPosition()));
        Safetensors.write(file, all, meta);
    }

    /**
     * Reads a checkpoint {@link #save} wrote.
     *
     * @param file the file
     * @return the checkpoint
     * @throws IOException when it cannot be read ({@link org.transformer4j.io.CheckpointFormatException} when it is not such a checkpoint)
     */
    public static TrainingCheckpoint load(Path file) throws IOException {
        SafetensorsFile f = Safetensors.read(file);
        if (!FORMAT.equals(f.metadata().get("format"))) {
            throw new CheckpointFormatException(file, "not a transformer4j training state (metadata format is "
                    + f.metadata().get("format") + ", expected " + FORMAT + ")");
        }
        Map<String, HostTensor> weights = new LinkedHashMap<>();
        Map<String, HostTensor> m = new LinkedHashMap<>();
        Map<String, HostTensor> v = new LinkedHashMap<>();
        f.tensors().forEach((k, t) -> {
            if (k.startsWith("model.")) {
                weights.put(k.substring(6), t);
            } else if (k.startsWith("adamw.m.")) {
                m.put(k.substring(8), t);
            } else if (k.startsWith("adamw.v.")) {
                v.put(k.substring(8), t);
            }
        });
        for (String k : weights.keySet()) {
            if (!m.containsKey(k) || !v.containsKey(k)) {
                throw new CheckpointFormatException(file, "optimizer state for weight '" + k + "' is missing");
            }
        }
        long step = number(file, f, "step");
        return new TrainingCheckpoint(weights, new OptimizerState(step, m, v), step, number(file, f, "train_position"));
    }

    private static long number(Path file, SafetensorsFile f, String key) throws CheckpointFormatException {
        String s = f.metadata().get(key);
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new CheckpointFormatException(file, "metadata '" + key + "' must be an integer, is " + s);
        }
    }
}
