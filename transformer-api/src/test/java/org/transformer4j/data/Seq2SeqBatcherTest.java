package org.transformer4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.transformer4j.tensor.DType;
import org.transformer4j.tensor.HostTensor;
import org.transformer4j.tensor.Shape;
import org.transformer4j.tokenizer.CharTokenizer;
import org.transformer4j.tokenizer.Tokenizer;

class Seq2SeqBatcherTest {
    // alphabet "abcxyz" -> ids a0 b1 c2 x3 y4 z5; specials <pad>6 <bos>7 <eos>8
    private static final CharTokenizer TOK = CharTokenizer.fromText("abcxyz", List.of(Tokenizer.PAD, Tokenizer.BOS, Tokenizer.EOS));
    private static final int PAD = 6;
    private static final int BOS = 7;
    private static final int EOS = 8;

    private static PairDataset dataset(int n) {
        List<String> src = new ArrayList<>();
        List<String> tgt = new ArrayList<>();
        String letters = "abc";
        for (int i = 0; i < n; i++) {
            src.add("a".repeat(1 + i % 5) + letters.charAt(i % 3));
            tgt.add("xyz".substring(0, 1 + i % 3));
        }
        return PairDataset.encode(TOK, src, tgt);
    }

    @Test
    void handBuiltBatchHasPaddingMaskShiftedTargetsAndIgnoreIndex() {
        PairDataset data = PairDataset.encode(TOK, List.of("ab", "cabc"), List.of("x", "zy"));
        assertEquals(BOS, data.bosId());
        assertEquals(EOS, data.eosId());
        assertEquals(PAD, data.padId());
        Seq2SeqBatcher batcher = new Seq2SeqBatcher(data, 2, 8, 1);
        int[] order = batcher.pairIndices(0);
        Batch batch = batcher.next();
        // expected rows, written out by hand for pair 0 and pair 1
        int[][] src = {{0, 1, PAD, PAD}, {2, 0, 1, 2}};
        int[][] mask = {{1, 1, 0, 0}, {1, 1, 1, 1}};
        int[][] tgtIn = {{BOS, 3, PAD}, {BOS, 5, 4}};
        int[][] targets = {{3, EOS, -100}, {5, 4, EOS}};
        assertEquals(Shape.of(2, 4), batch.get(Seq2SeqBatcher.SRC_IDS).shape());
        assertEquals(Shape.of(2, 4), batch.get(Seq2SeqBatcher.SRC_MASK).shape());
        assertEquals(Shape.of(2, 3), batch.get(Seq2SeqBatcher.TGT_IN).shape());
        assertEquals(Shape.of(2, 3), batch.get(Seq2SeqBatcher.TARGETS).shape());
        for (String name : List.of(Seq2SeqBatcher.SRC_IDS, Seq2SeqBatcher.SRC_MASK, Seq2SeqBatcher.TGT_IN, Seq2SeqBatcher.TARGETS)) {
            assertEquals(DType.INT32, batch.get(name).dtype());
        }
        for (int row = 0; row < 2; row++) {
            int p = order[row];
            assertArrayEquals(src[p], row(batch.get(Seq2SeqBatcher.SRC_IDS), row));
            assertArrayEquals(mask[p], row(batch.get(Seq2SeqBatcher.SRC_MASK), row));
            assertArrayEquals(tgtIn[p], row(batch.get(Seq2SeqBatcher.TGT_IN), row));
            assertArrayEquals(targets[p], row(batch.get(Seq2SeqBatcher.TARGETS), row));
        }
    }

    @Test
    void contextPaddingGivesFixedShapes() {
        PairDataset data = PairDataset.encode(TOK, List.of("ab", "c"), List.of("x", "zy"));
        Seq2SeqBatcher batcher = new Seq2SeqBatcher("pairs", data, 3, 6, Seq2SeqBatcher.Padding.CONTEXT, 5);
        for (int k = 0; k < 4; k++) {
            Batch b = batcher.next();
            assertEquals(Shape.of(3, 6), b.get(Seq2SeqBatcher.SRC_IDS).shape());
            assertEquals(Shape.of(3, 6), b.get(Seq2SeqBatcher.TARGETS).shape());
            int[] t = b.get(Seq2SeqBatcher.TARGETS).ints();
            assertEquals(-100, t[5]); // no decoder sequence here is 6 long
        }
    }

    @Test
    void everyRowMatchesItsPair() {
        PairDataset data = dataset(37);
        Seq2SeqBatcher batcher = new Seq2SeqBatcher(data, 8, 16, 99);
        for (int k = 0; k < 20; k++) {
            int[] pairs = batcher.pairIndices(k);
            Batch b = batcher.next();
            int s = b.get(Seq2SeqBatcher.SRC_IDS).shape().dim(1);
            int t = b.get(Seq2SeqBatcher.TGT_IN).shape().dim(1);
            int longestSrc = 0;
            int longestTgt = 0;
            for (int row = 0; row < 8; row++) {
                int[] source = data.source(pairs[row]);
                int[] target = data.target(pairs[row]);
                longestSrc = Math.max(longestSrc, source.length);
                longestTgt = Math.max(longestTgt, target.length + 1);
                int[] ids = row(b.get(Seq2SeqBatcher.SRC_IDS), row);
                int[] mask = row(b.get(Seq2SeqBatcher.SRC_MASK), row);
                int[] in = row(b.get(Seq2SeqBatcher.TGT_IN), row);
                int[] out = row(b.get(Seq2SeqBatcher.TARGETS), row);
                for (int j = 0; j < s; j++) {
                    assertEquals(j < source.length ? source[j] : PAD, ids[j]);
                    assertEquals(j < source.length ? 1 : 0, mask[j]);
                }
                for (int j = 0; j < t; j++) {
                    int expectedIn = j == 0 ? BOS : j <= target.length ? target[j - 1] : PAD;
                    int expectedOut = j < target.length ? target[j] : j == target.length ? EOS : -100;
                    assertEquals(expectedIn, in[j]);
                    assertEquals(expectedOut, out[j]);
                }
            }
            assertEquals(longestSrc, s, "padded to the longest source of the batch");
            assertEquals(longestTgt, t, "padded to the longest decoder sequence of the batch");
        }
    }

    @Test
    void eachEpochVisitsEveryPairOnceInANewOrder() {
        int n = 10;
        Seq2SeqBatcher batcher = new Seq2SeqBatcher(dataset(n), 4, 16, 3);
        // 5 batches of 4 = 20 items = exactly 2 epochs (batch 2 straddles them)
        List<Integer> items = new ArrayList<>();
        for (int k = 0; k < 5; k++) {
            for (int i : batcher.pairIndices(k)) {
                items.add(i);
            }
        }
        List<Integer> first = new ArrayList<>(items.subList(0, n));
        List<Integer> second = new ArrayList<>(items.subList(n, 2 * n));
        assertNotEquals(first, second, "each epoch has its own order");
        first.sort(null);
        second.sort(null);
        List<Integer> all = java.util.stream.IntStream.range(0, n).boxed().toList();
        assertEquals(all, first);
        assertEquals(all, second);
    }

    @Test
    void seekResumesExactlyAndSeedsDiffer() {
        PairDataset data = dataset(23);
        Seq2SeqBatcher a = new Seq2SeqBatcher(data, 5, 16, 11);
        List<Batch> straight = new ArrayList<>();
        for (int k = 0; k < 12; k++) {
            straight.add(a.next());
        }
        Seq2SeqBatcher b = new Seq2SeqBatcher(data, 5, 16, 11);
        b.seek(7);
        for (int k = 7; k < 12; k++) {
            Batch got = b.next();
            for (String name : got.tensors().keySet()) {
                assertArrayEquals(straight.get(k).get(name).ints(), got.get(name).ints(), name + " of batch " + k);
            }
        }
        assertEquals(12, b.position());
        b.seek(0); // going back recomputes an earlier epoch's order
        assertArrayEquals(straight.get(0).get(Seq2SeqBatcher.SRC_IDS).ints(), b.next().get(Seq2SeqBatcher.SRC_IDS).ints());
        Seq2SeqBatcher other = new Seq2SeqBatcher(data, 5, 16, 12);
        boolean differs = false;
        for (int k = 0; k < 5; k++) {
            differs |= !Arrays.equals(a.pairIndices(k), other.pairIndices(k));
        }
        assertTrue(differs, "another seed gives another order");
    }

    @Test
    void sequencesLongerThanTheContextAreRefusedNamingThePair() {
        PairDataset data = PairDataset.encode(TOK, List.of("ab", "abcabc"), List.of("x", "y"));
        var e = assertThrows(IllegalArgumentException.class, () -> new Seq2SeqBatcher(data, 2, 5, 0));
        assertTrue(e.getMessage().contains("pair 1") && e.getMessage().contains("6 tokens"), e.getMessage());
        PairDataset longTarget = PairDataset.encode(TOK, List.of("ab"), List.of("xyzxy"));
        var t = assertThrows(IllegalArgumentException.class, () -> new Seq2SeqBatcher(longTarget, 1, 5, 0));
        assertTrue(t.getMessage().contains("pair 0") && t.getMessage().contains("needs 6"), t.getMessage());
        // exactly at the limit is fine: 5 source tokens, 4 target tokens + <eos>
        new Seq2SeqBatcher(PairDataset.encode(TOK, List.of("abcab"), List.of("xyzx")), 1, 5, 0).next();
    }

    @Test
    void badArgumentsAndDataAreRefusedClearly() {
        PairDataset data = dataset(3);
        assertThrows(IllegalArgumentException.class, () -> new Seq2SeqBatcher(data, 0, 8, 0));
        assertThrows(IllegalArgumentException.class, () -> new Seq2SeqBatcher(data, 2, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new Seq2SeqBatcher(data, 2, 8, 0).seek(-1));
        var noSpecials = assertThrows(IllegalArgumentException.class,
                () -> PairDataset.encode(CharTokenizer.fromText("abc"), List.of("a"), List.of("b")));
        assertTrue(noSpecials.getMessage().contains("<bos>"), noSpecials.getMessage());
        var empty = assertThrows(IllegalArgumentException.class, () -> PairDataset.encode(TOK, List.of("a", ""), List.of("x", "y")));
        assertTrue(empty.getMessage().contains("pair 1"), empty.getMessage());
        var unknown = assertThrows(IllegalArgumentException.class, () -> PairDataset.encode(TOK, List.of("a", "q"), List.of("x", "y")));
        assertTrue(unknown.getMessage().contains("source of pair 1"), unknown.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PairDataset.encode(TOK, List.of("a"), List.of("x", "y")));
        assertThrows(IllegalArgumentException.class, () -> PairDataset.encode(TOK, List.of(), List.of()));
    }

    @Test
    void specialTokenTextInTheDataIsEncodedAsCharacters() {
        CharTokenizer tok = CharTokenizer.fromText("<>abeos", List.of(Tokenizer.PAD, Tokenizer.BOS, Tokenizer.EOS));
        PairDataset data = PairDataset.encode(tok, List.of("a<eos>"), List.of("b"));
        assertEquals(6, data.source(0).length, "six characters, not 'a' and the <eos> id");
        assertEquals(6, data.maxSourceLength());
        assertEquals(2, data.maxDecoderLength());
    }

    private static int[] row(HostTensor t, int row) {
        int w = t.shape().dim(1);
        return Arrays.copyOfRange(t.ints(), row * w, row * w + w);
    }
}
