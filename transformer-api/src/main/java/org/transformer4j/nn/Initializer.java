package org.transformer4j.nn;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.transformer4j.tensor.HostTensor;

/**
 * Fills a model's declared parameters with seeded values, in Java, so every backend starts from the
 * same numbers. Each parameter draws from its own stream derived from the seed and its name, so adding
 * a layer does not change the values of the others.
 */
public final class Initializer {
    private Initializer() {
    }

    /**
     * Fresh weights for {@code specs}, in declaration order.
     *
     * @param specs the parameters a model declares
     * @param seed the seed every parameter's stream derives from
     * @return the weights by name
     */
    public static Map<String, HostTensor> initialize(List<ParameterSpec> specs, long seed) {
        Map<String, HostTensor> out = new LinkedHashMap<>();
        for (ParameterSpec spec : specs) {
            float[] v = new float[spec.shape().size()];
            switch (spec.init()) {
                case ZEROS -> { }
                case ONES -> java.util.Arrays.fill(v, 1f);
                case NORMAL -> {
                    SplittableRandom rng = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + spec.name().hashCode());
                    for (int i = 0; i < v.length; i += 2) {
                        // Box-Muller: two normals per pair of uniforms.
                        double u1 = 1.0 - rng.nextDouble();
                        double u2 = rng.nextDouble();
                        double r = Math.sqrt(-2.0 * Math.log(u1));
                        v[i] = (float) (spec.std() * r * Math.cos(2 * Math.PI * u2));
                        if (i + 1 < v.length) {
                            v[i + 1] = (float) (spec.std() * r * Math.sin(2 * Math.PI * u2));
                        }
                    }
                }
            }
            if (out.put(spec.name(), HostTensor.ofFloats(spec.shape(), v)) != null) {
                throw new IllegalArgumentException("parameter " + spec.name() + " is declared twice");
            }
        }
        return out;
    }
}
