package org.transformer4j.cpu;

import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.transformer4j.backend.TrainingEngine;
import org.transformer4j.backend.EngineOptions;
import org.transformer4j.model.ModelDirectory;
import org.transformer4j.testing.HfGpt2Checks;
import org.transformer4j.testing.HfGpt2Fixture;
import org.transformer4j.testing.HfGpt2Fixture.Layout;
import org.transformer4j.testing.HfGpt2Fixture.Sizes;
import org.transformer4j.testing.HfGpt2Fixture.StoredType;

/**
 * A Hugging Face GPT-2 directory on the cpu backend: its logits match the double-precision GPT-2 of HF's formulas
 * to 1e-4 and greedy generation with the key/value cache gives the reference's tokens (the reference recomputes the
 * whole sequence each step). The GPT-2-small-sized variant runs with {@code -Pheavy}.
 */
class HfGpt2CpuTest {
    static final int[] PROMPT = {5, 17, 42, 3, 99, 0, 64, 23, 8, 51, 77, 12};

    @TempDir
    Path tmp;

    @Test
    void tinyGpt2MatchesTheReferenceInEveryStoredPrecision() throws Exception {
        for (StoredType type : StoredType.values()) {
            HfGpt2Fixture f = HfGpt2Fixture.random(Sizes.tiny(), type != StoredType.F16, type, 21);
            Path dir = tmp.resolve(type.name());
            f.write(dir, new Layout(type, type == StoredType.BF16, type == StoredType.F16 ? 2 : 1, false, true));
            check(f, ModelDirectory.load(dir), PROMPT, 8, 1e-4);
        }
    }

    @Test
    @Tag("heavy")
    void gpt2SmallShapeLoadsGeneratesAndMatchesTheReference() throws Exception {
        HfGpt2Fixture f = HfGpt2Fixture.random(Sizes.small(), true, StoredType.F32, 5);
        f.write(tmp, Layout.plain(StoredType.F32));
        ModelDirectory md = ModelDirectory.load(tmp);
        check(f, md, new int[] {464, 2068, 7586, 21831, 18045, 625, 262}, 3, 2e-4);
    }

    static void check(HfGpt2Fixture f, ModelDirectory md, int[] prompt, int newTokens, double tol) throws Exception {
        try (TrainingEngine engine = new CpuBackend().open(EngineOptions.defaults())) {
            HfGpt2Checks.assertMatchesReference(f, md, engine, prompt, newTokens, tol);
        }
    }
}
