package org.transformer4j.cpu.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Shared SIMD building blocks of the layer kernels: the float species, dot products and axpy on
 * array slices, an exp and a lane sum whose bits do not depend on the JIT tier, and the error function
 * with the normal CDF behind the exact GELU (the Vector API has no ERF operator, Java no {@code Math.erf}).
 *
 * <p>The error function goes through the complementary one: {@code erfc(a) = exp(-a²)·R(a)} for {@code a >= 0},
 * where R is our own degree 4/5 rational fit of the scaled complementary error function
 * {@code exp(a²)·erfc(a)} on [0, 10] (least squares with Lawson reweighting towards minimax, done offline in
 * double; relative error 5.6e-9). One exp, one division and no branches; evaluated in float with FMA,
 * {@code erf = ±(1 - erfc)} is within 2e-7 of the true value, and the normal CDF {@code Φ(x) = ½·erfc(-x/√2)}
 * stays accurate relative to its value far into the negative tail, which {@code 1 + erf} could not.
 *
 * <p>Every method here is small and branch-free on purpose: C2 must inline the whole chain into the caller's
 * loop, or the vectors get boxed and the kernel runs ten times slower.
 */
final class KernelMath {
    /** The float species of this JVM ({@link VectorWidth}: 8 lanes with AVX2, 16 with AVX-512). */
    static final VectorSpecies<Float> F = VectorWidth.FLOAT;
    /** Lanes per float vector. */
    static final int L = F.length();

    // exp(a²)·erfc(a) = (RP0 + RP1 a + ... + RP4 a⁴) / (1 + RQ1 a + ... + RQ5 a⁵) on [0, 10]
    private static final float RP0 = 1.0f;
    private static final float RP1 = 1.2375880479812622f;
    private static final float RP2 = 0.7307428121566772f;
    private static final float RP3 = 0.22880825400352478f;
    private static final float RP4 = 0.032710347324609756f;
    private static final float RQ1 = 2.3659677505493164f;
    private static final float RQ2 = 2.400442361831665f;
    private static final float RQ3 = 1.323760747909546f;
    private static final float RQ4 = 0.4055788815021515f;
    private static final float RQ5 = 0.0579768642783165f;
    /** Arguments beyond this give erfc = 0 in float (exp(-100) is subnormal); clamped to keep R in its fitted range. */
    private static final float ERFC_CLAMP = 10f;

    static final float INV_SQRT2 = (float) (1.0 / Math.sqrt(2.0));
    static final float INV_SQRT_2PI = (float) (1.0 / Math.sqrt(2.0 * Math.PI));

    private KernelMath() {
    }

    /** exp(-a²) for a in [0, ERFC_CLAMP], with the rounding error of a² folded back in. */
    private static FloatVector expNegSquare(FloatVector a) {
        FloatVector hi = a.mul(a);
        FloatVector lo = a.fma(a, hi.neg()); // a² = hi + lo exactly
        FloatVector e = exp(hi.neg());
        return e.fma(lo.neg(), e); // exp(-hi-lo) ~ exp(-hi)·(1-lo)
    }

    /** exp(a²)·erfc(a) for a in [0, ERFC_CLAMP]. */
    private static FloatVector erfcx(FloatVector a) {
        FloatVector num = FloatVector.broadcast(F, RP4);
        num = num.fma(a, FloatVector.broadcast(F, RP3));
        num = num.fma(a, FloatVector.broadcast(F, RP2));
        num = num.fma(a, FloatVector.broadcast(F, RP1));
        num = num.fma(a, FloatVector.broadcast(F, RP0));
        FloatVector den = FloatVector.broadcast(F, RQ5);
        den = den.fma(a, FloatVector.broadcast(F, RQ4));
        den = den.fma(a, FloatVector.broadcast(F, RQ3));
        den = den.fma(a, FloatVector.broadcast(F, RQ2));
        den = den.fma(a, FloatVector.broadcast(F, RQ1));
        den = den.fma(a, FloatVector.broadcast(F, 1f));
        return num.div(den);
    }

    /** The error function, lane-wise (absolute error about 2e-7). */
    static FloatVector erf(FloatVector z) {
        FloatVector a = z.abs().min(ERFC_CLAMP);
        FloatVector r = expNegSquare(a).mul(erfcx(a)).neg().add(1f);
        return r.blend(r.neg(), z.lt(0f));
    }

    /** The standard normal CDF Φ(x) = ½·erfc(-x/√2), lane-wise, accurate relative to its value for x << 0. */
    static FloatVector normalCdf(FloatVector x) {
        FloatVector a = x.abs().mul(INV_SQRT2).min(ERFC_CLAMP);
        FloatVector hc = expNegSquare(a).mul(erfcx(a)).mul(0.5f); // ½·erfc(|x|/√2) = Φ(-|x|)
        return hc.neg().add(1f).blend(hc, x.lt(0f));
    }

    /** The derivative of the exact GELU x·Φ(x): Φ(x) + x·φ(x), lane-wise, sharing one exp between Φ and φ. */
    static FloatVector geluGrad(FloatVector x) {
        FloatVector a = x.abs().mul(INV_SQRT2).min(ERFC_CLAMP);
        FloatVector e = expNegSquare(a); // exp(-x²/2) = √(2π)·φ(x)
        FloatVector hc = e.mul(erfcx(a)).mul(0.5f);
        FloatVector cdf = hc.neg().add(1f).blend(hc, x.lt(0f));
        return x.mul(e).fma(FloatVector.broadcast(F, INV_SQRT_2PI), cdf);
    }

    private static final float TANH_GELU_K = (float) (2 * Math.sqrt(2 / Math.PI)); // 2·√(2/π)
    private static final float TANH_GELU_C = 0.044715f;

    /** σ(2u) = ½·(1 + tanh(u)) with u = √(2/π)·(x + 0.044715·x³): the gate of the tanh GELU, lane-wise. */
    static FloatVector tanhGeluGate(FloatVector x) {
        FloatVector x2 = x.mul(x);
        FloatVector twoU = x2.fma(FloatVector.broadcast(F, TANH_GELU_C), FloatVector.broadcast(F, 1f)).mul(x).mul(TANH_GELU_K);
        return FloatVector.broadcast(F, 1f).div(exp(twoU.neg()).add(1f));
    }

    /** The derivative of x·σ(2u): s + x·s·(1 - s)·2u' with 2u' = 2·√(2/π)·(1 + 3·0.044715·x²), lane-wise. */
    static FloatVector geluTanhGrad(FloatVector x) {
        FloatVector x2 = x.mul(x);
        FloatVector twoU = x2.fma(FloatVector.broadcast(F, TANH_GELU_C), FloatVector.broadcast(F, 1f)).mul(x).mul(TANH_GELU_K);
        FloatVector s = FloatVector.broadcast(F, 1f).div(exp(twoU.neg()).add(1f));
        FloatVector twoDu = x2.fma(FloatVector.broadcast(F, 3 * TANH_GELU_C), FloatVector.broadcast(F, 1f)).mul(TANH_GELU_K);
        FloatVector ds = s.mul(s.neg().add(1f)).mul(twoDu);
        return x.fma(ds, s);
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

    // Butterfly partners for the lane sum: lane i with lane i ^ w (null where w is not below the lane count).
    private static final VectorShuffle<Float> XOR8 = L > 8 ? VectorShuffle.fromOp(F, i -> i ^ 8) : null;
    private static final VectorShuffle<Float> XOR4 = L > 4 ? VectorShuffle.fromOp(F, i -> i ^ 4) : null;
    private static final VectorShuffle<Float> XOR2 = L > 2 ? VectorShuffle.fromOp(F, i -> i ^ 2) : null;
    private static final VectorShuffle<Float> XOR1 = L > 1 ? VectorShuffle.fromOp(F, i -> i ^ 1) : null;

    /**
     * The sum of the lanes in a fixed butterfly order (lane i plus lane i^(L/2), then i^(L/4), ..., then i^1).
     * {@code reduceLanes(ADD)} adds in lane order when interpreted but in a tree when compiled, so its last bit
     * would depend on JIT timing; this does not, and it is as fast once compiled.
     */
    static float sumLanes(FloatVector v) {
        FloatVector s = v;
        if (L > 8) {
            s = s.add(s.rearrange(XOR8));
        }
        if (L > 4) {
            s = s.add(s.rearrange(XOR4));
        }
        if (L > 2) {
            s = s.add(s.rearrange(XOR2));
        }
        if (L > 1) {
            s = s.add(s.rearrange(XOR1));
        }
        return s.lane(0);
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

    /**
     * Elements per parallel chunk for element-wise kernels (a multiple of the vector length). Below it a loop runs
     * on its caller: the shakespeare-char step ran 3.7% faster with 65,536 than with 16,384 (8 A/B pairs, 6 faster;
     * backend-cpu/BENCHMARKS.md), as the small arrays (most parameters' AdamW updates, 128-wide rows) then cost no
     * hand-off and stay in the caller's cache.
     */
    static final int ELEMENT_GRAIN = 65536;
}
