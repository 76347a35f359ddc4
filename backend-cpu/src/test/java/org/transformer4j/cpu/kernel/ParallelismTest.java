package org.transformer4j.cpu.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ParallelismTest {

    /** Every index in [0, n) is visited exactly once, chunk boundaries are multiples of the grain. */
    @Test
    void coversTheRangeOnceWithGrainAlignedChunks() {
        try (Parallelism par = Parallelism.of(3)) {
            for (int n : new int[] {1, 2, 3, 7, 64, 1000, 1001}) {
                for (int grain : new int[] {1, 4, 16}) {
                    int[] visits = new int[n];
                    List<int[]> chunks = java.util.Collections.synchronizedList(new ArrayList<>());
                    par.forRange(n, grain, (from, to) -> {
                        chunks.add(new int[] {from, to});
                        for (int i = from; i < to; i++) {
                            visits[i]++;
                        }
                    });
                    int[] ones = new int[n];
                    java.util.Arrays.fill(ones, 1);
                    assertArrayEquals(ones, visits, "n=" + n + " grain=" + grain);
                    assertTrue(chunks.size() <= 3);
                    for (int[] c : chunks) {
                        assertTrue(c[0] % grain == 0, "chunk start " + c[0] + " not a multiple of " + grain);
                    }
                }
            }
        }
    }

    @Test
    void usesTheWorkerThreads() {
        try (Parallelism par = Parallelism.of(2)) {
            Set<String> names = ConcurrentHashMap.newKeySet();
            for (int round = 0; round < 50; round++) {
                par.forRange(2, (from, to) -> names.add(Thread.currentThread().getName()));
            }
            assertEquals(2, names.size(), "caller and one worker: " + names);
        }
    }

    @Test
    void rethrowsAWorkersExceptionAfterEveryChunkFinished() {
        try (Parallelism par = Parallelism.of(2)) {
            int[] done = new int[1];
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> par.forRange(2, (from, to) -> {
                if (from == 1) {
                    throw new IllegalStateException("boom in the worker's chunk");
                }
                sleep(20);
                done[0]++;
            }));
            assertEquals("boom in the worker's chunk", e.getMessage());
            assertEquals(1, done[0]);
            // the pool still works afterwards
            int[] sum = new int[2];
            par.forRange(2, (from, to) -> sum[from] = 1);
            assertArrayEquals(new int[] {1, 1}, sum);
        }
    }

    @Test
    void rethrowsTheCallersException() {
        try (Parallelism par = Parallelism.of(2)) {
            assertThrows(ArithmeticException.class, () -> par.forRange(2, (from, to) -> {
                if (from == 0) {
                    throw new ArithmeticException("caller chunk");
                }
            }));
        }
    }

    @Test
    void nestedLoopsRunInlineWithoutDeadlock() {
        try (Parallelism par = Parallelism.of(2)) {
            long[] total = new long[4];
            par.forRange(4, (from, to) -> {
                for (int i = from; i < to; i++) {
                    int row = i;
                    par.forRange(100, (f, t) -> {
                        for (int j = f; j < t; j++) {
                            total[row] += j;
                        }
                    });
                }
            });
            assertArrayEquals(new long[] {4950, 4950, 4950, 4950}, total);
        }
    }

    /** Many threads sharing one pool (16 generations on one engine): each loop's result is its own and complete. */
    @Test
    void concurrentCallersEachGetTheirWholeResult() throws Exception {
        try (Parallelism par = Parallelism.of(2)) {
            ExecutorService callers = Executors.newFixedThreadPool(8);
            try {
                List<Future<long[]>> results = new ArrayList<>();
                for (int c = 0; c < 8; c++) {
                    int id = c;
                    results.add(callers.submit(() -> {
                        long[] sums = new long[200];
                        for (int round = 0; round < 200; round++) {
                            long[] part = new long[1000];
                            par.forRange(1000, 8, (from, to) -> {
                                for (int i = from; i < to; i++) {
                                    part[i] = (long) i * id;
                                }
                            });
                            for (long v : part) {
                                sums[round] += v;
                            }
                        }
                        return sums;
                    }));
                }
                for (int c = 0; c < 8; c++) {
                    long expected = 499_500L * c;
                    for (long s : results.get(c).get(60, TimeUnit.SECONDS)) {
                        assertEquals(expected, s);
                    }
                }
            } finally {
                callers.shutdownNow();
            }
        }
    }

    @Test
    void afterCloseLoopsRunOnTheCaller() throws Exception {
        Parallelism par = Parallelism.of(2);
        par.close();
        Set<Thread> ran = ConcurrentHashMap.newKeySet();
        par.forRange(10, (from, to) -> ran.add(Thread.currentThread()));
        assertEquals(Set.of(Thread.currentThread()), ran);
    }

    @Test
    void sequentialIsSharedAndRejectsBadCounts() {
        assertSame(Parallelism.sequential(), Parallelism.of(1));
        assertThrows(IllegalArgumentException.class, () -> Parallelism.of(0));
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
