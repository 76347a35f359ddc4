package org.transformer4j.cpu.kernel;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The register tile of {@link Sgemm}'s micro-kernel ({@link #mr} rows x {@link #vectors} vectors of C) and the cache
 * blocking that goes with it, chosen once per JVM for the machine's vector width and register count.
 *
 * <p>A tile keeps {@code mr * vectors} accumulators, {@code vectors} B vectors and one broadcast A value in vector
 * registers, so it must fit the register file: 4 x 2 (11 used) and 6 x 2 (15) fit AVX2's 16 registers; AVX-512 and ARM
 * have 32, which fit 8 x 3 (28), 14 x 2 (31) or 6 x 4 (29). The wider tiles load fewer values per multiply-add (the
 * limit of a 16-register tile once the multiply-adds are twice as wide). On AVX2 the default is 4 x 2, not the 6 x 2
 * that leaves one register spare: with VEX encoding (no broadcast operand in the multiply-add, so each A value takes a
 * register) C2 compiles the 6 x 2 kernel that reads packed A into code at less than half speed (Zen 4 under {@code
 * -XX:UseAVX=2} with loop strip mining, one thread: 42-44 GFLOP/s for NN 1024 and TN 128x384x768, where 4 x 2 runs at
 * 85-89; reading A in place 6 x 2 runs at 97-99, 4 x 2 at 91-93; shakespeare-char 44-51 -> 38-40 ms/iter;
 * BENCHMARKS.md). {@link #preferred()} picks one from the vector width ({@link VectorWidth}) and the architecture; the
 * system property {@value #PROPERTY} (e.g. {@code -Dtransformer4j.cpu.sgemm.tile=8x3}) overrides it, for benchmarks and
 * for trying a machine the default does not know. Every tile runs on every machine (HotSpot spills what does not fit),
 * so the tests check all of them.
 *
 * <p>Blocking, per tile ({@link #kc}, {@link #mc}, {@link #nc}; measured on Zen 4, see BENCHMARKS.md): the 16-register
 * tiles reload each B vector for only 4 or 6 multiply-adds, so their packed B panel ({@code kc x nr}, 16 KB) must stay
 * in L1 (blocking as tuned on an AVX2 machine). The 32-register tiles reuse every loaded value 2-3 times as often, so
 * their panels can stream from L2; for them a deep k block (a B panel of up to 128 KB, an A block of up to ~512 KB)
 * pays, because each k block is one more pass of loads and stores over C (kc = 256 -> 1024 took NN 1024 from 88 to 100
 * GFLOP/s on one core with the 14 x 2 tile).
 */
enum SgemmTile {
    /** 4 x 2 vectors: AVX2's default (and other 16-register ISAs'), 11 of 16 registers. */
    T4X2(4, 2, 256, 96, 1024),
    /** 6 x 2 vectors: 15 of 16 registers. */
    T6X2(6, 2, 256, 96, 1024),
    /** 8 x 3 vectors: 28 of 32 registers. */
    T8X3(8, 3, 672, 128, 1056),
    /** 14 x 2 vectors: 31 of 32 registers; AVX-512's default (the fastest of the three on Zen 4). */
    T14X2(14, 2, 1024, 126, 1024),
    /** 6 x 4 vectors: 29 of 32 registers. */
    T6X4(6, 4, 512, 168, 1024);

    /** System property naming the tile to use, as {@code ROWSxVECTORS} (e.g. {@code 4x2}). */
    static final String PROPERTY = "transformer4j.cpu.sgemm.tile";

    /** Rows of C per tile. */
    final int mr;
    /** Vectors of C per tile row. */
    final int vectors;
    /** Columns of C per tile ({@code vectors * V}). */
    final int nr;
    /** Depth of a packed block (k per pass over C). */
    final int kc;
    /** Rows of op(A) per packed block (a multiple of mr). */
    final int mc;
    /** Columns of op(B) per packed block (a multiple of nr). */
    final int nc;

    /** {@code nc} is rounded down to a multiple of nr. */
    SgemmTile(int mr, int vectors, int kc, int mc, int nc) {
        this.mr = mr;
        this.vectors = vectors;
        this.nr = vectors * SgemmMicroKernel.V;
        this.kc = kc;
        this.mc = mc;
        this.nc = Math.max(1, nc / nr) * nr;
    }

    /** The tile's name, {@code ROWSxVECTORS}. */
    String label() {
        return mr + "x" + vectors;
    }

    /** The tile for this machine, or the one {@value #PROPERTY} names. */
    static SgemmTile preferred() {
        String forced = System.getProperty(PROPERTY);
        if (forced != null && !forced.isBlank()) {
            return parse(forced.trim());
        }
        return forMachine(SgemmMicroKernel.V, System.getProperty("os.arch", ""));
    }

    /**
     * The default for a vector of {@code lanes} floats on {@code arch}: 32 vector registers on AArch64 and with
     * AVX-512 (HotSpot uses 512-bit vectors only where it also has zmm16-31), 16 otherwise (AVX2, SSE).
     */
    static SgemmTile forMachine(int lanes, String arch) {
        boolean thirtyTwoRegisters = arch.equals("aarch64") || lanes >= 16;
        return thirtyTwoRegisters ? T14X2 : T4X2;
    }

    /** The tile named {@code ROWSxVECTORS}. */
    static SgemmTile parse(String label) {
        for (SgemmTile t : values()) {
            if (t.label().equals(label.toLowerCase(Locale.ROOT))) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown sgemm tile '" + label + "' (system property " + PROPERTY
                + "); use one of " + Arrays.stream(values()).map(SgemmTile::label).collect(Collectors.joining(", ")));
    }
}
