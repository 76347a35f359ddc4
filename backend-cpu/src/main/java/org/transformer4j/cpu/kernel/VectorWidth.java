package org.transformer4j.cpu.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The float vector species every kernel of backend-cpu uses, chosen once per JVM: the machine's preferred one
 * ({@code FloatVector.SPECIES_PREFERRED}: 256 bits with AVX2, 512 with AVX-512, 128 with NEON), or the width the
 * system property {@value #PROPERTY} names ({@code 128}, {@code 256} or {@code 512}).
 *
 * <p>The property exists so that one machine can run the kernels' exact-reference tests at every width the others
 * prefer (the build runs them again at 128 and 256 bits); a width above the machine's runs correctly but slowly (the
 * Vector API then computes in Java instead of in vector registers), so it is not for production use. The
 * micro-kernel tile of {@link Sgemm} follows the width chosen here ({@link SgemmTile#preferred()}).
 */
final class VectorWidth {
    /** System property naming the vector width in bits. */
    static final String PROPERTY = "transformer4j.cpu.vector.bits";
    /** The species of this JVM. */
    static final VectorSpecies<Float> FLOAT = species(System.getProperty(PROPERTY));

    private VectorWidth() {
    }

    /** The species for a width in bits, or the preferred one for {@code null} or blank. */
    static VectorSpecies<Float> species(String bits) {
        if (bits == null || bits.isBlank()) {
            return FloatVector.SPECIES_PREFERRED;
        }
        return switch (bits.trim()) {
            case "128" -> FloatVector.SPECIES_128;
            case "256" -> FloatVector.SPECIES_256;
            case "512" -> FloatVector.SPECIES_512;
            default -> throw new IllegalArgumentException("system property " + PROPERTY + " must be 128, 256 or 512"
                    + " (bits per float vector), or unset for the machine's preferred width ("
                    + FloatVector.SPECIES_PREFERRED.vectorBitSize() + " here); was '" + bits + "'");
        };
    }
}
