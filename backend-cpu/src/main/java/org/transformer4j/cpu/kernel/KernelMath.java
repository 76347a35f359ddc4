package org.transformer4j.cpu.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Shared SIMD building blocks of the layer kernels: the float species, dot products and axpy on
 * array slices, an exp and a lane sum whose bits do not depend on the JIT tier, and the error function
 * (the Vector API has no ERF operator, Java no {@code Math.erf}).
 *
 * <p>The erf is our own fit (least-squares with Lawson reweighting towards minimax, done offline):
 * for {@code |z| < 1}, {@code erf(z) = z·P(z²)} with P of degree 5 (relative error 4e-8);
 * for {@code |z| >= 1}, {@code erfc(|z|) = exp(-z²)·R(|z|)} with R a degree 3/4 rational fit of the scaled
 * complementary error function {@code exp(z²)·erfc(z)} on [1, 10] (relative error 1.2e-8). Working through
 * erfc in the tails keeps the normal CDF accurate relative to its value for very negative arguments, which
 * {@code 1 + erf} cannot. Evaluated in float with FMA the whole erf is within about 1e-7 of the true value.
 */
final class KernelMath {
    /** The preferred float species of this machine (8 lanes with AVX2, 16 with AVX-512). */
    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    /** Lanes per float vector. */
    static final int L = F.length();

    // erf(z)/z = P(z²) on [0, 1)
    private static final float P0 = 1.1283791f;
    private static final float P1 = -0.37612325f;
    private static final float P2 = 0.1128018f;
    private static final float P3 = -0.026711302f;
    private static final float P4 = 0.0049175406f;
    private static final float P5 = -0.00056313735f;
    // exp(a²)·erfc(a) = RP(a)/RQ(a) on [1, 10]
    private static final float RP0 = 0.9989081f;
    private static final float RP1 = 1.167341f;
    private static final float RP2 = 0.6074258f;
    private static final float RP3 = 0.15594958f;
    private static final float RQ1 = 2.2890878f;
    private static final float RQ2 = 2.209598f;
    private static final float RQ3 = 1.0764799f;
    private static final float RQ4 = 0.27641776f;
    /** Where the erf switches from the polynomial to the erfc form. */
    private static final float SPLIT = 1f;
    /** Arguments beyond this give erfc = 0 in float (exp(-100) is subnormal); clamped to keep R in its fitted range. */
    private static final float ERFC_CLAMP = 10f;

    static final float INV_SQRT2 = (float) (1.0 / Math.sqrt(2.0));
    static final float INV_SQRT_2PI = (float) (1.0 / Math.sqrt(2.0 * Math.PI));

    private KernelMath() {
    }

    /** erf(a) for 0 <= a < 1 (any a gives a finite value). */
    private static FloatVector erfSmall(FloatVector a) {
        FloatVector s = a.mul(a);
        FloatVector p = FloatVector.broadcast(F, P5);
        p = p.fma(s, FloatVector.broadcast(F, P4));
        p = p.fma(s, FloatVector.broadcast(F, P3));
        p = p.fma(s, FloatVector.broadcast(F, P2));
        p = p.fma(s, FloatVector.broadcast(F, P1));
        p = p.fma(s, FloatVector.broadcast(F, P0));
        return a.mul(p);
    }

    /** erfc(a) for a >= 1 (any a >= 0 gives a finite value). */
    private static FloatVector erfcLarge(FloatVector a) {
        FloatVector x = a.min(ERFC_CLAMP);
        FloatVector hi = x.mul(x);
        FloatVector lo = x.fma(x, hi.neg()); // x² = hi + lo exactly
        FloatVector e = exp(hi.neg());
        e = e.fma(lo.neg(), e); // exp(-hi-lo) ~ exp(-hi)·(1-lo)
        FloatVector num = FloatVector.broadcast(F, RP3);
        num = num.fma(x, FloatVector.broadcast(F, RP2));
        num = num.fma(x, FloatVector.broadcast(F, RP1));
        num = num.fma(x, FloatVector.broadcast(F, RP0));
        FloatVector den = FloatVector.broadcast(F, RQ4);
        den = den.fma(x, FloatVector.broadcast(F, RQ3));
        den = den.fma(x, FloatVector.broadcast(F, RQ2));
        den = den.fma(x, FloatVector.broadcast(F, RQ1));
        den = den.fma(x, FloatVector.broadcast(F, 1f));
        return e.mul(num.div(den));
    }

    /** The error function, lane-wise. */
    static FloatVector erf(FloatVector z) {
        FloatVector a = z.abs();
        VectorMask<Float> small = a.lt(SPLIT);
        FloatVector r;
        if (small.allTrue()) {
            r = erfSmall(a);
        } else {
            r = erfcLarge(a).neg().add(1f);
            if (small.anyTrue()) {
                r = r.blend(erfSmall(a), small);
            }
        }
        return r.blend(r.neg(), z.lt(0f));
    }

    /** The standard normal CDF Φ(x) = ½·erfc(-x/√2), lane-wise, accurate relative to its value for x << 0. */
    static FloatVector normalCdf(FloatVector x) {
        FloatVector z = x.mul(INV_SQRT2);
        FloatVector a = z.abs();
        VectorMask<Float> small = a.lt(SPLIT);
        VectorMask<Float> negative = z.lt(0f);
        FloatVector r;
        if (small.allTrue()) {
            FloatVector he = erfSmall(a).mul(0.5f);
            r = he.blend(he.neg(), negative).add(0.5f);
        } else {
            FloatVector hc = erfcLarge(a).mul(0.5f);
            r = hc.neg().add(1f).blend(hc, negative);
            if (small.anyTrue()) {
                FloatVector he = erfSmall(a).mul(0.5f);
                r = r.blend(he.blend(he.neg(), negative).add(0.5f), small);
            }
        }
        return r;
    }

    /** The standard normal density φ(x) = exp(-x²/2)/√(2π), lane-wise. */
    static FloatVector normalPdf(FloatVector x) {
        return exp(x.mul(x).mul(-0.5f)).mul(INV_SQRT_2PI);
    }

    // exp(x) = 2^n · e^r with n = round(x/ln2), r = x - n·ln2 in [-ln2/2, ln2/2], e^r by its Taylor series to r^7
    // (truncation error 0.347^8/8! = 5.5e-9 relative). Only IEEE-exact operations (fma, mul, add, integer bit
    // arithmetic), so the interpreter, C1 and C2 give bit-identical results; the Vector API's EXP operator does
    // not (its intrinsic and its Java fallback differ in the last bit), which would make results depend on JIT timing.
    private static final float LOG2E = 1.44269504088896341f;
    private static final float LN2_HI = 0.693359375f;        // 355/512: n·LN2_HI is exact
    private static final float LN2_LO = -2.12194440e-4f;     // ln2 - LN2_HI
    private static final float ROUND_MAGIC = 12582912f;      // 1.5·2^23: adding it rounds to an integer
    private static final int ROUND_MAGIC_BITS = 0x4B400000;
    /** Below this e^x is subnormal in float; it is returned as 0 (so exp(-inf) = 0, a masked softmax entry). */
    static final float EXP_MIN = -87.33f;
    /** Above this 2^n overflows the exponent field; arguments are clamped (e^88 = 1.65e38). */
    private static final float EXP_MAX = 88f;
    private static final float E2 = 1f / 2;
    private static final float E3 = 1f / 6;
    private static final float E4 = 1f / 24;
    private static final float E5 = 1f / 120;
    private static final float E6 = 1f / 720;
    private static final float E7 = 1f / 5040;

    /** Lane-wise e^x, relative error ~1e-7, 0 below {@link #EXP_MIN}, bit-identical to {@link #exp(float)}. */
    static FloatVector exp(FloatVector x) {
        FloatVector xc = x.min(EXP_MAX).max(EXP_MIN);
        FloatVector t = xc.fma(FloatVector.broadcast(F, LOG2E), FloatVector.broadcast(F, ROUND_MAGIC));
        FloatVector n = t.sub(ROUND_MAGIC);
        FloatVector r = n.fma(FloatVector.broadcast(F, -LN2_HI), xc);
        r = n.fma(FloatVector.broadcast(F, -LN2_LO), r);
        FloatVector p = FloatVector.broadcast(F, E7);
        p = p.fma(r, FloatVector.broadcast(F, E6));
        p = p.fma(r, FloatVector.broadcast(F, E5));
        p = p.fma(r, FloatVector.broadcast(F, E4));
        p = p.fma(r, FloatVector.broadcast(F, E3));
        p = p.fma(r, FloatVector.broadcast(F, E2));
        p = p.fma(r, FloatVector.broadcast(F, 1f));
        p = p.fma(r, FloatVector.broadcast(F, 1f));
        IntVector bits = ((IntVector) t.reinterpretAsInts()).sub(ROUND_MAGIC_BITS - 127).lanewise(VectorOperators.LSHL, 23);
        FloatVector e = p.mul(bits.reinterpretAsFloats());
        return e.blend(FloatVector.zero(F), x.lt(EXP_MIN));
    }

    /** Scalar e^x with exactly the operations of {@link #exp(FloatVector)} (same bits), for loop tails. */
    static float exp(float x) {
        float xc = Math.max(Math.min(x, EXP_MAX), EXP_MIN);
        float t = Math.fma(xc, LOG2E, ROUND_MAGIC);
        float n = t - ROUND_MAGIC;
        float r = Math.fma(n, -LN2_HI, xc);
        r = Math.fma(n, -LN2_LO, r);
        float p = E7;
        p = Math.fma(p, r, E6);
        p = Math.fma(p, r, E5);
        p = Math.fma(p, r, E4);
        p = Math.fma(p, r, E3);
        p = Math.fma(p, r, E2);
        p = Math.fma(p, r, 1f);
        p = Math.fma(p, r, 1f);
        float scale = Float.intBitsToFloat((Float.floatToRawIntBits(t) - (ROUND_MAGIC_BITS - 127)) << 23);
        return x < EXP_MIN ? 0f : p * scale;
    }

    /**
     * The sum of the lanes in lane order. {@code reduceLanes(ADD)} may add in another order when compiled than
     * when interpreted, so its last bit would depend on JIT timing; this does not.
     */
    static float sumLanes(FloatVector v) {
        float s = v.lane(0);
        for (int i = 1; i < L; i++) {
            s += v.lane(i);
        }
        return s;
    }

    /** A mask of the first {@code count} lanes (for loop tails), count in [0, L]. */
    static VectorMask<Float> firstLanes(int count) {
        return F.indexInRange(0, count);
    }

    /** {@code Σ a[ao+d]·b[bo+d]} for d in [0, len). */
    static float dot(float[] a, int ao, float[] b, int bo, int len) {
        FloatVector acc = FloatVector.zero(F);
        int d = 0;
        int bound = F.loopBound(len);
        for (; d < bound; d += L) {
            acc = FloatVector.fromArray(F, a, ao + d).fma(FloatVector.fromArray(F, b, bo + d), acc);
        }
        float s = sumLanes(acc);
        for (; d < len; d++) {
            s = Math.fma(a[ao + d], b[bo + d], s);
        }
        return s;
    }

    /** {@code y[yo+d] += alpha·x[xo+d]} for d in [0, len). */
    static void axpy(float alpha, float[] x, int xo, float[] y, int yo, int len) {
        FloatVector va = FloatVector.broadcast(F, alpha);
        int d = 0;
        int bound = F.loopBound(len);
        for (; d < bound; d += L) {
            FloatVector.fromArray(F, x, xo + d).fma(va, FloatVector.fromArray(F, y, yo + d)).intoArray(y, yo + d);
        }
        for (; d < len; d++) {
            y[yo + d] = Math.fma(alpha, x[xo + d], y[yo + d]);
        }
    }

    /** Rows per parallel chunk so that a chunk holds at least ~8k floats of work. */
    static int rowGrain(int rowLength) {
        return Math.max(1, 8192 / Math.max(1, rowLength));
    }

    /** Elements per parallel chunk for element-wise kernels (a multiple of the vector length). */
    static final int ELEMENT_GRAIN = 16384;
}
