package org.transformer4j.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Erf against published values (A&amp;S tables, as also given by C's libm erf/erfc). */
class ErfTest {

    @Test
    void erfMatchesPublishedValues() {
        assertEquals(0.5204998778130465, Erf.erf(0.5), 1e-15);
        assertEquals(0.8427007929497149, Erf.erf(1.0), 1e-15);
        assertEquals(0.9953222650189527, Erf.erf(2.0), 1e-15);
        assertEquals(0.9999779095030014, Erf.erf(3.0), 1e-15);
        assertEquals(0.1124629160182849, Erf.erf(0.1), 1e-15);
        assertEquals(-0.9661051464753108, Erf.erf(-1.5), 1e-15);
        assertEquals(-0.9999992569016276, Erf.erf(-3.5), 1e-15);
        assertEquals(1.1283791670955126e-08, Erf.erf(1e-8), 1e-22);
        assertEquals(0.0, Erf.erf(0.0));
    }

    @Test
    void bothSidesOfTheSeriesBoundaryAgree() {
        assertEquals(0.9999777698314002, Erf.erf(2.999), 1e-15);
        assertEquals(2.2230168599834058e-05, Erf.erfc(2.999), 2.2230168599834058e-05 * 1e-10);
        assertEquals(2.2090496998585438e-05, Erf.erfc(3.0), 2.2090496998585438e-05 * 1e-12);
    }

    @Test
    void erfcIsAccurateRelativelyInTheTail() {
        assertEquals(1.541725790028002e-08, Erf.erfc(4.0), 1.541725790028002e-08 * 1e-12);
        assertEquals(1.5374597944280351e-12, Erf.erfc(5.0), 1.5374597944280351e-12 * 1e-12);
        assertEquals(2.1519736712498916e-17, Erf.erfc(6.0), 2.1519736712498916e-17 * 1e-12);
        assertEquals(1.9661051464753108, Erf.erfc(-1.5), 1e-15);
    }

    @Test
    void geluIsXTimesNormalCdf() {
        // Phi(1) = 0.8413447460685429, Phi(-1) = 0.15865525393145707 (standard normal table).
        assertEquals(0.8413447460685429, Erf.gelu(1.0), 1e-15);
        assertEquals(-0.15865525393145707, Erf.gelu(-1.0), 1e-15);
        assertEquals(0.0, Erf.gelu(0.0));
        // Far tail: -10 * Phi(-10) with Phi(-10) = 7.619853024160593e-24.
        assertEquals(-7.619853024160593e-23, Erf.gelu(-10.0), 7.6e-23 * 1e-10);
    }
}
