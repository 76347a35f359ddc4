package org.transformer4j.cpu;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LoopShapeCheckTest {

    @Test
    void warnsOnlyForAvx2WithoutStripMiningOnX86() {
        assertThat(LoopShapeCheck.advice("amd64", 2, 0)).hasValueSatisfying(text -> assertThat(text)
                .contains("AVX2", "strip mining", LoopShapeCheck.FLAGS));
        assertThat(LoopShapeCheck.advice("x86_64", 2, 0)).isPresent();
        assertThat(LoopShapeCheck.advice("amd64", 2, 1000)).as("strip mining on (G1, or the flags)").isEmpty();
        assertThat(LoopShapeCheck.advice("amd64", 3, 0)).as("AVX-512: no slowdown measured").isEmpty();
        assertThat(LoopShapeCheck.advice("amd64", 1, 0)).as("no AVX2: the 6x2 tile is not the issue").isEmpty();
        assertThat(LoopShapeCheck.advice("aarch64", 0, 0)).isEmpty();
    }

    @Test
    void checkingThisJvmNeverThrows() {
        LoopShapeCheck.warnOnce();
        LoopShapeCheck.warnOnce();
    }
}
