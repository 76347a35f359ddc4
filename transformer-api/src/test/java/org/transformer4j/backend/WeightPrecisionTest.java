package org.transformer4j.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.transformer4j.nn.Ops;
import org.transformer4j.tensor.HostTensor;
import org.transformer4j.tensor.Shape;
import org.transformer4j.tensor.Tensor;

/** {@link InferenceEngine#load(Map, WeightPrecision)}'s default: float32 goes to {@code load(Map)}, others are refused. */
class WeightPrecisionTest {
    /** An engine with float32 weights only, counting its loads. */
    private static final class Float32Only implements InferenceEngine {
        int loads;

        @Override
        public String backendName() {
            return "float32-only";
        }

        @Override
        public Ops inferenceOps() {
            throw new UnsupportedOperationException("not needed here");
        }

        @Override
        public LoadedWeights load(Map<String, HostTensor> weights) {
            loads++;
            return new LoadedWeights() {
                @Override
                public Tensor get(String name) {
                    throw new IllegalArgumentException(name);
                }

                @Override
                public void close() {
                }
            };
        }

        @Override
        public void close() {
        }
    }

    @Test
    void float32LoadsAsBeforeAndBf16IsRefusedNamingTheBackend() {
        Float32Only engine = new Float32Only();
        Map<String, HostTensor> w = Map.of("w", HostTensor.zeros(Shape.of(2, 2)));
        engine.load(w, WeightPrecision.FLOAT32).close();
        assertThat(engine.loads).isEqualTo(1);
        assertThatThrownBy(() -> engine.load(w, WeightPrecision.BF16))
                .isInstanceOf(UnsupportedOperationException.class)
                .hasMessageContaining("float32-only").hasMessageContaining("BF16").hasMessageContaining("cpu");
        assertThat(engine.loads).isEqualTo(1);
    }
}
