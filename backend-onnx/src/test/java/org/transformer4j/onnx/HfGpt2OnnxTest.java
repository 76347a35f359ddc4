package org.transformer4j.onnx;

import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.transformer4j.model.ModelDirectory;
import org.transformer4j.onnx.export.OnnxExporter;
import org.transformer4j.testing.Gpt2Reference;
import org.transformer4j.testing.HfGpt2Checks;
import org.transformer4j.testing.HfGpt2Fixture;
import org.transformer4j.testing.HfGpt2Fixture.Layout;
import org.transformer4j.testing.HfGpt2Fixture.Sizes;
import org.transformer4j.testing.HfGpt2Fixture.StoredType;

/**
 * A Hugging Face GPT-2 directory exported to ONNX (the tanh GELU as its ONNX pattern) and run by ONNX Runtime:
 * logits within 1e-4 of the double-precision GPT-2 of HF's formulas. The GPT-2-small shape runs with {@code -Pheavy}.
 */
class HfGpt2OnnxTest {
    @TempDir
    Path tmp;

    @Test
    void exportedTinyGpt2MatchesTheReference() throws Exception {
        HfGpt2Fixture f = HfGpt2Fixture.random(Sizes.tiny(), false, StoredType.BF16, 31);
        check(f, new int[] {5, 17, 42, 3, 99, 0, 64, 23, 8, 51, 77, 12}, 1e-4);
    }

    @Test
    @Tag("heavy")
    void exportedGpt2SmallShapeMatchesTheReference() throws Exception {
        check(HfGpt2Fixture.random(Sizes.small(), true, StoredType.F32, 5), new int[] {464, 2068, 7586, 21831}, 2e-4);
    }

    private void check(HfGpt2Fixture f, int[] prompt, double tol) throws Exception {
        Path hf = tmp.resolve("hf");
        f.write(hf, Layout.plain(f.sizes().width() > 128 ? StoredType.F32 : StoredType.BF16));
        Path onnx = tmp.resolve("onnx");
        OnnxExporter.export(ModelDirectory.load(hf), onnx);
        try (OnnxModel m = OnnxModel.open(onnx)) {
            HfGpt2Checks.assertLogitsClose(new Gpt2Reference(f).logits(prompt), m.logits(new int[][] {prompt}).floats(), tol);
        }
    }
}
