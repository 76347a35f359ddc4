package org.transformer4j.cpu.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

/**
 * {@link VectorWidth}: the property picks the species of every kernel, so the build's 128- and 256-bit test runs
 * (backend-cpu's pom) really run the kernels at those widths.
 */
class VectorWidthTest {

    @Test
    void everyKernelUsesTheWidthThePropertyNames() {
        String bits = System.getProperty(VectorWidth.PROPERTY);
        int want = bits == null ? FloatVector.SPECIES_PREFERRED.vectorBitSize() : Integer.parseInt(bits);
        assertEquals(want, KernelMath.F.vectorBitSize());
        assertEquals(want / 32, KernelMath.L);
        assertSame(KernelMath.F, SgemmMicroKernel.SPECIES);
        assertEquals(SgemmTile.forMachine(want / 32, System.getProperty("os.arch")).label() + "x" + want / 32,
                Sgemm.tile(), "the sgemm tile follows the width");
    }

    @Test
    void parsesTheThreeWidthsAndRejectsOthers() {
        assertSame(FloatVector.SPECIES_PREFERRED, VectorWidth.species(null));
        assertSame(FloatVector.SPECIES_PREFERRED, VectorWidth.species(" "));
        assertSame(FloatVector.SPECIES_128, VectorWidth.species("128"));
        assertSame(FloatVector.SPECIES_256, VectorWidth.species(" 256"));
        assertSame(FloatVector.SPECIES_512, VectorWidth.species("512"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> VectorWidth.species("384"));
        assertTrue(e.getMessage().contains("must be 128, 256 or 512") && e.getMessage().contains("'384'"),
                e.getMessage());
    }
}
