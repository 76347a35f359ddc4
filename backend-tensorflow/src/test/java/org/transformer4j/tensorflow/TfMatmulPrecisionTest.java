package org.transformer4j.tensorflow;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The TF32 switch reaches TensorFlow's own setting (read back through TensorFlow) and parses its configuration. */
class TfMatmulPrecisionTest {

    @AfterEach
    void restore() {
        System.clearProperty(TfMatmulPrecision.PROPERTY);
        TfMatmulPrecision.set(false);
    }

    @Test
    void setIsReadBackFromTensorFlow() {
        TfMatmulPrecision.set(true);
        assertTrue(TfMatmulPrecision.enabled());
        TfMatmulPrecision.set(false);
        assertFalse(TfMatmulPrecision.enabled());
    }

    @Test
    void applyFollowsThePropertyAndDefaultsToOff() {
        TfMatmulPrecision.set(true);
        System.clearProperty(TfMatmulPrecision.PROPERTY);
        if (System.getenv(TfMatmulPrecision.ENV) == null) {
            assertFalse(TfMatmulPrecision.apply(), "off unless asked for");
        }
        System.setProperty(TfMatmulPrecision.PROPERTY, "true");
        assertTrue(TfMatmulPrecision.apply());
        System.setProperty(TfMatmulPrecision.PROPERTY, "off");
        assertFalse(TfMatmulPrecision.apply());
    }

    @Test
    void aValueThatIsNotABooleanIsRefusedWithItsSource() {
        System.setProperty(TfMatmulPrecision.PROPERTY, "fast");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, TfMatmulPrecision::tf32Requested);
        assertTrue(e.getMessage().contains("-Dtransformer4j.tensorflow.tf32 is 'fast'"), e.getMessage());
    }
}
