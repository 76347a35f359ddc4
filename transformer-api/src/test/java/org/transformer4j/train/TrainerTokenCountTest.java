package org.transformer4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.transformer4j.data.Batch;
import org.transformer4j.model.GptModel;
import org.transformer4j.tensor.HostTensor;
import org.transformer4j.tensor.Shape;

/** The tokens a step counts for its tokens/s: the targets that enter the loss, padding left out. */
class TrainerTokenCountTest {
    private static final int PAD = GptModel.IGNORE_INDEX;

    @Test
    void aGptBatchCountsEveryTarget() {
        Map<String, HostTensor> t = new LinkedHashMap<>();
        t.put("input_ids", HostTensor.ofInts(Shape.of(2, 3), new int[] {1, 2, 3, 4, 5, 6}));
        t.put("targets", HostTensor.ofInts(Shape.of(2, 3), new int[] {2, 3, 4, 5, 6, 7}));
        assertEquals(6, Trainer.tokenCount(new Batch(t)));
    }

    @Test
    void anEncoderDecoderBatchLeavesOutPaddedTargets() {
        Map<String, HostTensor> t = new LinkedHashMap<>();
        t.put("src_ids", HostTensor.ofInts(Shape.of(2, 5), new int[10]));
        t.put("targets", HostTensor.ofInts(Shape.of(2, 4), new int[] {5, 6, 2, PAD, 7, 2, PAD, PAD}));
        assertEquals(5, Trainer.tokenCount(new Batch(t)));
    }

    @Test
    void aBatchWithoutTargetsCountsItsFirstTensor() {
        Map<String, HostTensor> t = new LinkedHashMap<>();
        t.put("input_ids", HostTensor.ofInts(Shape.of(3, 4), new int[12]));
        assertEquals(12, Trainer.tokenCount(new Batch(t)));
    }
}
