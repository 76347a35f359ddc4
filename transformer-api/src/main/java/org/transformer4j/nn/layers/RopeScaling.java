package org.transformer4j.nn.layers;

import java.util.Objects;

/**
 * How a model stretches its rotary position embedding beyond the context it was trained on: Hugging Face's
 * {@code rope_scaling} of {@code config.json}. Two rules are supported, each refused with a message if its
 * parameters make no sense:
 * <ul>
 *   <li>{@link Type#LINEAR}: every inverse frequency divided by {@code factor} (position interpolation);</li>
 *   <li>{@link Type#LLAMA3}: Llama 3.1's rule ({@code _compute_llama3_parameters} in transformers): wavelengths
 *       {@code 2π/f} shorter than {@code original_max_position_embeddings / high_freq_factor} are kept, those longer
 *       than {@code original_max_position_embeddings / low_freq_factor} divided by {@code factor}, and those between
 *       interpolated with {@code s = (original / wavelength - low) / (high - low)}:
 *       {@code f' = (1 - s)·f/factor + s·f}.</li>
 * </ul>
 * No scaling at all (HF's {@code "default"}) is a null {@code RopeScaling}.
 *
 * @param type                           the rule
 * @param factor                         the stretch, {@code >= 1}
 * @param lowFreqFactor                  llama3 only (else 0)
 * @param highFreqFactor                 llama3 only (else 0), {@code > lowFreqFactor}
 * @param originalMaxPositionEmbeddings  llama3 only (else 0): the context the model was pretrained with
 */
public record RopeScaling(Type type, double factor, double lowFreqFactor, double highFreqFactor,
                          int originalMaxPositionEmbeddings) {

    /** A scaling rule, named as HF's {@code rope_type} / {@code type} field names it. */
    public enum Type {
        /** Position interpolation: every inverse frequency divided by {@code factor}. */
        LINEAR("linear"),
        /** Llama 3.1's wavelength-dependent rule. */
        LLAMA3("llama3");

        private final String jsonName;

        Type(String jsonName) {
            this.jsonName = jsonName;
        }

        /** {@return the value of {@code rope_type} in config.json} */
        public String jsonName() {
            return jsonName;
        }
    }

    /**
     * Validates the parameters of the rule.
     *
     * @throws IllegalArgumentException for a factor below 1 or not finite, or llama3 parameters outside
     *     {@code 0 < lowFreqFactor < highFreqFactor} and {@code originalMaxPositionEmbeddings >= 1}
     */
    public RopeScaling {
        Objects.requireNonNull(type, "type");
        if (!(factor >= 1.0) || Double.isInfinite(factor)) {
            throw new IllegalArgumentException("rope_scaling.factor must be a finite number >= 1, was " + factor);
        }
        if (type == Type.LLAMA3) {
            if (!(lowFreqFactor > 0) || !(highFreqFactor > lowFreqFactor) || Double.isInfinite(highFreqFactor)) {
                throw new IllegalArgumentException("rope_scaling of type llama3 needs 0 < low_freq_factor < "
                        + "high_freq_factor, was low_freq_factor " + lowFreqFactor + " and high_freq_factor "
                        + highFreqFactor);
            }
            if (originalMaxPositionEmbeddings < 1) {
                throw new IllegalArgumentException("rope_scaling.original_max_position_embeddings must be >= 1, was "
                        + originalMaxPositionEmbeddings);
            }
        }
    }

    /**
     * Linear position interpolation.
     *
     * @param factor the stretch, {@code >= 1}
     * @return the rule
     */
    public static RopeScaling linear(double factor) {
        return new RopeScaling(Type.LINEAR, factor, 0, 0, 0);
    }

    /**
     * Llama 3.1's rule (Llama 3.1/3.2 ship factor 8 or 32, low 1, high 4, original 8192).
     *
     * @param factor         the stretch of the long wavelengths, {@code >= 1}
     * @param lowFreqFactor  {@code low_freq_factor}
     * @param highFreqFactor {@code high_freq_factor}, above {@code lowFreqFactor}
     * @param originalMax    {@code original_max_position_embeddings}: the pretraining context
     * @return the rule
     */
    public static RopeScaling llama3(double factor, double lowFreqFactor, double highFreqFactor, int originalMax) {
        return new RopeScaling(Type.LLAMA3, factor, lowFreqFactor, highFreqFactor, originalMax);
    }

    /** The scaled inverse frequency of one unscaled inverse frequency {@code f}. */
    double apply(double f) {
        if (type == Type.LINEAR) {
            return f / factor;
        }
        double lowFreqWavelen = originalMaxPositionEmbeddings / lowFreqFactor;
        double highFreqWavelen = originalMaxPositionEmbeddings / highFreqFactor;
        double wavelen = 2 * Math.PI / f;
        if (wavelen < highFreqWavelen) {
            return f;
        }
        if (wavelen > lowFreqWavelen) {
            return f / factor;
        }
        double smooth = (originalMaxPositionEmbeddings / wavelen - lowFreqFactor) / (highFreqFactor - lowFreqFactor);
        return (1 - smooth) * f / factor + smooth * f;
    }
}
