package org.transformer4j.cpu.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class ArrayBlocksTest {

    @Test
    void blocksCoverEveryElementOnceInOrderAtAnyThreadCount() {
        int[] lengths = {10, 0, 4, 1, 9};
        ArrayBlocks blocks = new ArrayBlocks(lengths, 4);
        // 10 -> 3 blocks, 0 -> none, 4 -> 1, 1 -> 1, 9 -> 3
        assertThat(blocks.count()).isEqualTo(8);
        List<String> expected = List.of("0:0:0-4", "1:0:4-8", "2:0:8-10", "3:2:0-4", "4:3:0-1", "5:4:0-4", "6:4:4-8",
                "7:4:8-9");
        try (Parallelism two = Parallelism.of(2)) {
            for (Parallelism par : new Parallelism[] {Parallelism.sequential(), two}) {
                List<String> seen = Collections.synchronizedList(new ArrayList<>());
                blocks.forEach(par, 1, (block, array, from, to) -> seen.add(block + ":" + array + ":" + from + "-" + to));
                assertThat(seen).containsExactlyInAnyOrderElementsOf(expected);
            }
        }
    }

    @Test
    void aBlockSizeBelowOneIsRefused() {
        assertThatThrownBy(() -> new ArrayBlocks(new int[] {3}, 0)).hasMessageContaining("blockSize");
    }
}
