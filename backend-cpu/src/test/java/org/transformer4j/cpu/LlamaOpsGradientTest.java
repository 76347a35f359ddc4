package org.transformer4j.cpu;

import static org.transformer4j.cpu.CpuOpsGradientTest.check;
import static org.transformer4j.cpu.CpuOpsGradientTest.floats;
import static org.transformer4j.cpu.CpuOpsGradientTest.ints;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.transformer4j.tensor.Tensor;

/**
 * The backward passes of the Llama-family layer contracts on {@link CpuOps} (RMSNorm, SiLU, multiply, rotary
 * embedding, grouped-query attention) against central finite differences of the scalar reference forward, with the
 * criterion and method of {@link CpuOpsGradientTest}, sequentially and with two threads.
 */
class LlamaOpsGradientTest {

    @Test
    void rmsNorm() {
        Random rnd = new Random(11);
        check("rmsNorm", (ops, in) -> new Tensor[] {ops.rmsNorm(in[0], in[1], 1e-5f)},
                floats("x", rnd, -2, 2, 2, 3, 19), floats("gamma", rnd, 0.5, 1.5, 19));
    }

    @Test
    void silu() {
        Random rnd = new Random(12);
        check("silu", (ops, in) -> new Tensor[] {ops.silu(in[0])}, floats("x", rnd, -5, 5, 3, 5, 7));
    }

    @Test
    void multiplySameShapeAndBroadcast() {
        Random rnd = new Random(13);
        check("multiply", (ops, in) -> new Tensor[] {ops.multiply(in[0], in[1])},
                floats("a", rnd, -1, 1, 2, 3, 21), floats("b", rnd, -1, 1, 2, 3, 21));
        check("multiply broadcast [C]", (ops, in) -> new Tensor[] {ops.multiply(in[0], in[1])},
                floats("a", rnd, -1, 1, 2, 3, 21), floats("b", rnd, -1, 1, 21));
    }

    @Test
    void swiGluComposition() {
        Random rnd = new Random(14);
        check("down(silu(gate x) * up x)", (ops, in) -> new Tensor[] {ops.linear(
                        ops.multiply(ops.silu(ops.linear(in[0], in[1], null)), ops.linear(in[0], in[2], null)), in[3], null)},
                floats("x", rnd, -1, 1, 2, 3, 8), floats("gate", rnd, -1, 1, 11, 8), floats("up", rnd, -1, 1, 11, 8),
                floats("down", rnd, -1, 1, 8, 11));
    }

    @Test
    void rotaryWithSharedAndPerTokenTables() {
        Random rnd = new Random(15);
        // 3 heads of 2·9 channels: d = 9 runs the vector loop (if the vectors are 8 wide or less) and its tail
        check("rotary, tables [T, d]", (ops, in) -> new Tensor[] {ops.rotary(in[0], in[1], in[2], 3)},
                floats("x", rnd, -1, 1, 2, 4, 54), floats("cos", rnd, -1, 1, 4, 9), floats("sin", rnd, -1, 1, 4, 9));
        check("rotary, tables [B, T, d]", (ops, in) -> new Tensor[] {ops.rotary(in[0], in[1], in[2], 2)},
                floats("x", rnd, -1, 1, 2, 3, 12), floats("cos", rnd, -1, 1, 2, 3, 3), floats("sin", rnd, -1, 1, 2, 3, 3));
    }

    @Test
    void groupedQueryAttention() {
        Random rnd = new Random(16);
        // 6 query heads of 3, 2 key/value heads: groups of 3 query heads share one key/value head
        check("grouped-query attention, causal", (ops, in) -> new Tensor[] {ops.attention(in[0], in[1], in[2], 6, 2,
                        true, null)},
                floats("q", rnd, -1, 1, 2, 5, 18), floats("k", rnd, -1, 1, 2, 5, 6), floats("v", rnd, -1, 1, 2, 5, 6));
        check("grouped-query attention over a cache, key mask", (ops, in) -> new Tensor[] {ops.attention(in[0], in[1],
                        in[2], 4, 2, true, in[3])},
                floats("q", rnd, -1, 1, 2, 2, 8), floats("k", rnd, -1, 1, 2, 6, 4), floats("v", rnd, -1, 1, 2, 6, 4),
                ints("keyMask", new int[] {1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1}, 2, 6));
    }
}
