package org.transformer4j.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Checks the incremental trainer against a plain one written independently here: every step recounts all
 * pairs of all chunk occurrences from scratch (no weights, no index), takes the most frequent pair (ties: the
 * smallest left id, then the smallest right id), and rewrites every chunk.
 */
class BpeTrainerReferenceTest {

    /** The merges learned, and the chunks of the text as the trainer left them. */
    private record Reference(List<int[]> merges, List<List<Integer>> chunks) {
    }

    private static Reference reference(String text, int merges) {
        List<List<Integer>> chunks = new ArrayList<>();
        ChunkSplitter.split(text, 0, text.length(), (a, b) -> {
            List<Integer> ids = new ArrayList<>();
            for (byte x : Wtf8.encode(text.substring(a, b))) {
                ids.add(x & 0xFF);
            }
            chunks.add(ids);
        });
        List<String> bytesOfId = new ArrayList<>();
        for (int i = 0; i < 256; i++) {
            bytesOfId.add(String.valueOf((char) i));
        }
        List<int[]> out = new ArrayList<>();
        for (int step = 0; step < merges; step++) {
            // TreeMap over (left, right): iteration in ascending pair order makes ties go to the smallest pair
            TreeMap<List<Integer>, Integer> counts = new TreeMap<>((p, q) -> !p.get(0).equals(q.get(0))
                    ? Integer.compare(p.get(0), q.get(0)) : Integer.compare(p.get(1), q.get(1)));
            for (List<Integer> c : chunks) {
                for (int i = 0; i + 1 < c.size(); i++) {
                    counts.merge(List.of(c.get(i), c.get(i + 1)), 1, Integer::sum);
                }
            }
            List<Integer> best = null;
            int bestCount = 0;
            for (var e : counts.entrySet()) {
                if (e.getValue() > bestCount) {
                    best = e.getKey();
                    bestCount = e.getValue();
                }
            }
            if (best == null) {
                break;
            }
            String joined = bytesOfId.get(best.get(0)) + bytesOfId.get(best.get(1));
            int result = bytesOfId.indexOf(joined);
            if (result < 0) {
                result = bytesOfId.size();
                bytesOfId.add(joined);
            }
            out.add(new int[] {best.get(0), best.get(1), result});
            for (List<Integer> c : chunks) {
                for (int i = 0; i + 1 < c.size(); i++) {
                    if (c.get(i).equals(best.get(0)) && c.get(i + 1).equals(best.get(1))) {
                        c.set(i, result);
                        c.remove(i + 1);
                    }
                }
            }
        }
        return new Reference(out, chunks);
    }

    @Test
    void sameMergesAsAPlainRecountingTrainer() {
        String text = RandomStrings.shakespeare().substring(0, 6000)
                + " caf\u00E9 caf\u00E9 na\u00EFve \u4E2D\u6587\u4E2D\u6587 \uD83D\uDE00\uD83D\uDE00 aaaa aaaaaaa 1234 1234";
        int merges = 120;
        Reference ref = reference(text, merges);
        List<int[]> expected = ref.merges();
        assertThat(expected.size()).isEqualTo(merges);
        ByteLevelBpeTokenizer tok = ByteLevelBpeTokenizer.train(text, 256 + merges, List.of());
        assertThat(tok.mergeCount()).isEqualTo(expected.size());
        for (int r = 0; r < merges; r++) {
            assertThat(tok.merge(r)).as("merge " + r).isEqualTo(expected.get(r));
        }
        // encoding the training text gives the segmentation the trainer ended with, chunk by chunk
        List<Integer> trainerIds = new ArrayList<>();
        ref.chunks().forEach(trainerIds::addAll);
        assertThat(Arrays.stream(tok.encode(text)).boxed().toList()).isEqualTo(trainerIds);
        assertThat(tok.decode(tok.encode(text))).isEqualTo(text);
    }
}
