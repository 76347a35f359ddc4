package org.transformer4j.onnx.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.transformer4j.tensor.DType;
import org.transformer4j.tensor.HostTensor;
import org.transformer4j.tensor.Shape;

/** The tracing ops: positions become graph values, other constants are refused, shapes are tracked. */
class OnnxExportOpsTest {

    @Test
    void tracePositionsBecomeTheBoundGraphValueAndOtherConstantsAreRefused() {
        OnnxGraph g = new OnnxGraph("t");
        OnnxExportOps ops = new OnnxExportOps(g);
        SymbolicTensor positions = ops.sym("positions", DType.INT64, Shape.of(3));
        ops.bindPositions(2, 3, positions, 8, 4);
        assertSame(positions, ops.constant(HostTensor.ofInts(Shape.of(3), new int[] {2, 3, 4})));
        assertEquals(1, ops.positionUses());
        var e = assertThrows(UnsupportedOperationException.class,
                () -> ops.constant(HostTensor.ofInts(Shape.of(3), new int[] {0, 1, 2})));
        assertTrue(e.getMessage().contains("not the positions"), e.getMessage());
        assertThrows(UnsupportedOperationException.class, () -> ops.constant(HostTensor.zeros(Shape.of(3, 4))));
    }

    @Test
    void sinusoidRowsAtTheTraceOffsetBecomeALookup() {
        OnnxGraph g = new OnnxGraph("t");
        OnnxExportOps ops = new OnnxExportOps(g);
        ops.bindPositions(1, 2, ops.sym("positions", DType.INT64, Shape.of(2)), 6, 4);
        float[] rows = new float[8];
        for (int pos = 1; pos <= 2; pos++) {
            for (int i = 0; i < 4; i += 2) {
                double angle = pos / Math.pow(10000.0, i / 4.0);
                rows[(pos - 1) * 4 + i] = (float) Math.sin(angle);
                rows[(pos - 1) * 4 + i + 1] = (float) Math.cos(angle);
            }
        }
        var t = ops.constant(HostTensor.ofFloats(Shape.of(2, 4), rows));
        assertEquals(Shape.of(2, 4), t.shape());
        assertEquals(1, ops.positionUses());
        assertTrue(g.build().getNodeList().stream().anyMatch(n -> n.getOpType().equals("Gather")));
    }

    @Test
    void symbolicTensorsHaveNoValues() {
        SymbolicTensor t = new SymbolicTensor("x", DType.FLOAT32, Shape.of(2));
        var e = assertThrows(UnsupportedOperationException.class, t::toFloatArray);
        assertTrue(e.getMessage().contains("'x'"), e.getMessage());
    }
}
