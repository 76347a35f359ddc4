package org.transformer4j.data;

/**
 * Derives independent, reproducible random streams from a seed and an index (batch number, epoch), so a
 * sampler can jump to any position without replaying the ones before it (exact resume).
 */
final class Seeds {
    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

    private Seeds() {
    }

    /** The seed of stream {@code index} of {@code seed}: SplitMix64 over both, so nearby inputs give unrelated seeds. */
    static long stream(long seed, long index) {
        return mix64(mix64(seed) + GOLDEN_GAMMA * (index + 1));
    }

    // SplitMix64's finaliser (Steele, Lea, Flood 2014): spreads nearby seeds and indices over all 64 bits.
    private static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
