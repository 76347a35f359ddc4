package org.transformer4j.tokenizer;

import java.util.Arrays;

/**
 * The merge rank of a pair of token ids: an open-addressing hash table from {@code (left, right)} to the rank,
 * without boxing, for the inner loop of BPE encoding.
 */
final class PairRanks {
    private static final long EMPTY = -1L;
    private final long[] keys;
    private final int[] ranks;
    private final int mask;

    /** The table of {@code merges} ({@code {left, right, result}} in rank order); the first of duplicates wins. */
    PairRanks(int[][] merges) {
        int capacity = Integer.highestOneBit(Math.max(4, merges.length * 2) - 1) << 1;
        keys = new long[capacity];
        ranks = new int[capacity];
        mask = capacity - 1;
        Arrays.fill(keys, EMPTY);
        for (int r = 0; r < merges.length; r++) {
            long k = key(merges[r][0], merges[r][1]);
            int slot = slot(k);
            while (keys[slot] != EMPTY && keys[slot] != k) {
                slot = (slot + 1) & mask;
            }
            if (keys[slot] == EMPTY) {
                keys[slot] = k;
                ranks[slot] = r;
            }
        }
    }

    static long key(int left, int right) {
        return ((long) left << 32) | (right & 0xFFFFFFFFL);
    }

    private int slot(long k) {
        long h = k * 0x9E3779B97F4A7C15L;
        return (int) (h >>> 32) & mask;
    }

    /** The rank of the merge of {@code left} and {@code right}, or -1 when there is none. */
    int rank(int left, int right) {
        long k = key(left, right);
        int slot = slot(k);
        while (true) {
            long at = keys[slot];
            if (at == k) {
                return ranks[slot];
            }
            if (at == EMPTY) {
                return -1;
            }
            slot = (slot + 1) & mask;
        }
    }
}
