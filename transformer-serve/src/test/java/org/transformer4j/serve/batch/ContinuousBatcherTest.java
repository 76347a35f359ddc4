package org.transformer4j.serve.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.transformer4j.generate.GenerationOptions;
import org.transformer4j.serve.ToyRuntime;

class ContinuousBatcherTest {
    private static final long NO_DEADLINE = Long.MAX_VALUE / 4;

    /** Collects one sequence's tokens and its end. */
    static final class Collector implements TokenSink {
        final List<Integer> tokens = new ArrayList<>();
        final CompletableFuture<FinishReason> end = new CompletableFuture<>();
        volatile RuntimeException error;
        Consumer<Integer> onEach = t -> { };

        @Override
        public synchronized void onToken(SampledToken token) {
            assertThat(end).isNotDone();
            tokens.add(token.id());
            onEach.accept(tokens.size());
        }

        @Override
        public void onEnd(FinishReason reason, RuntimeException e) {
            error = e;
            assertThat(end.complete(reason)).as("onEnd called once").isTrue();
        }

        synchronized int[] ids() {
            return tokens.stream().mapToInt(Integer::intValue).toArray();
        }
    }

    private static int[] prompt(SplittableRandom random, int vocab, int length) {
        int[] p = new int[length];
        for (int i = 0; i < length; i++) {
            p[i] = random.nextInt(vocab);
        }
        return p;
    }

    @Test
    void manyPromptsOfDifferentLengthsEqualDecodingEachAlone() throws Exception {
        ToyRuntime runtime = new ToyRuntime(50, 64);
        SplittableRandom random = new SplittableRandom(7);
        List<int[]> prompts = new ArrayList<>();
        List<GenerationOptions> options = new ArrayList<>();
        List<Collector> sinks = new ArrayList<>();
        try (ContinuousBatcher batcher = new ContinuousBatcher(runtime, 8, 100)) {
            for (int i = 0; i < 40; i++) {
                int[] p = prompt(random, 50, 1 + random.nextInt(20));
                GenerationOptions o = i % 2 == 0 ? GenerationOptions.greedy(1 + random.nextInt(30))
                        : GenerationOptions.sampling(1 + random.nextInt(30), 0.9f, 10, 1000 + i).withTopP(0.9f);
                if (i % 5 == 0) {
                    o = o.withStopTokens(Set.of(3, 4, 5));
                }
                Collector c = new Collector();
                batcher.submit(p, o, -1, NO_DEADLINE, c);
                prompts.add(p);
                options.add(o);
                sinks.add(c);
            }
            for (int i = 0; i < prompts.size(); i++) {
                FinishReason reason = sinks.get(i).end.get();
                int[] expected = runtime.alone(prompts.get(i), options.get(i));
                assertThat(sinks.get(i).ids()).as("sequence %d", i).containsExactly(expected);
                boolean stopped = options.get(i).stopTokens().contains(expected[expected.length - 1]);
                assertThat(reason).isEqualTo(stopped ? FinishReason.STOP : FinishReason.LENGTH);
            }
            assertThat(batcher.stats().stepRows()).isGreaterThan(batcher.stats().steps()); // rows shared steps
            assertThat(runtime.maxRows.get()).isEqualTo(8);
        }
        assertThat(runtime.openCaches.get()).as("every cache freed").isZero();
    }

    @Test
    void sequencesJoiningWhileOthersDecodeGiveTheirAloneTokens() throws Exception {
        ToyRuntime runtime = new ToyRuntime(40, 80);
        SplittableRandom random = new SplittableRandom(3);
        List<int[]> prompts = new ArrayList<>();
        List<Collector> sinks = new ArrayList<>();
        GenerationOptions options = GenerationOptions.greedy(25);
        try (ContinuousBatcher batcher = new ContinuousBatcher(runtime, 16, 100)) {
            // each sequence starts the next one after its 3rd token: a new row joins a running batch at every few steps
            for (int i = 0; i < 12; i++) {
                prompts.add(prompt(random, 40, 1 + random.nextInt(30)));
                sinks.add(new Collector());
            }
            for (int i = 0; i < 11; i++) {
                int next = i + 1;
                sinks.get(i).onEach = count -> {
                    if (count == 3) {
                        try {
                            batcher.submit(prompts.get(next), options, -1, NO_DEADLINE, sinks.get(next));
                        } catch (QueueFullException e) {
                            throw new AssertionError(e);
                        }
                    }
                };
            }
            batcher.submit(prompts.get(0), options, -1, NO_DEADLINE, sinks.get(0));
            for (int i = 0; i < 12; i++) {
                assertThat(sinks.get(i).end.get()).isEqualTo(FinishReason.LENGTH);
                assertThat(sinks.get(i).ids()).as("sequence %d", i)
                        .containsExactly(runtime.alone(prompts.get(i), options));
            }
            assertThat(runtime.maxRows.get()).isGreaterThan(2);
        }
        assertThat(runtime.openCaches.get()).isZero();
    }

    @Test
    void cancelledSequenceLeavesAndOthersAreUnaffected() throws Exception {
        ToyRuntime runtime = new ToyRuntime(30, 64);
        int[] a = {1, 2, 3};
        int[] b = {4, 5, 6, 7, 8};
        GenerationOptions options = GenerationOptions.greedy(40);
        try (ContinuousBatcher batcher = new ContinuousBatcher(runtime, 4, 10)) {
            Collector ca = new Collector();
            Collector cb = new Collector();
            Semaphore gate = new Semaphore(0);
            runtime.gate = gate;
            Sequence seqA = batcher.submit(a, options, -1, NO_DEADLINE, ca);
            batcher.submit(b, options, -1, NO_DEADLINE, cb);
            gate.release(4);
            while (!(gate.hasQueuedThreads() && gate.availablePermits() == 0)) {
                Thread.onSpinWait(); // four forward passes ran; the batcher waits in the fifth
            }
            seqA.cancel();
            gate.release(1000);
            assertThat(ca.end.get()).isEqualTo(FinishReason.CANCELLED);
            assertThat(ca.ids().length).isLessThan(40);
            assertThat(cb.end.get()).isEqualTo(FinishReason.LENGTH);
            assertThat(cb.ids()).containsExactly(runtime.alone(b, options));
        }
    }

    @Test
    void fullQueueIsRefusedAndShutdownFinishesEverythingInFlight() throws Exception {
        ToyRuntime runtime = new ToyRuntime(30, 64);
        Semaphore gate = new Semaphore(0);
        runtime.gate = gate;
        ContinuousBatcher batcher = new ContinuousBatcher(runtime, 1, 2);
        GenerationOptions options = GenerationOptions.greedy(5);
        List<Collector> sinks = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            sinks.add(new Collector());
        }
        batcher.submit(new int[] {1, 2}, options, -1, NO_DEADLINE, sinks.get(0));
        while (!gate.hasQueuedThreads()) {
            Thread.onSpinWait(); // the first sequence is now inside its prefill
        }
        batcher.submit(new int[] {3}, options, -1, NO_DEADLINE, sinks.get(1));
        batcher.submit(new int[] {4}, options, -1, NO_DEADLINE, sinks.get(2));
        assertThat(batcher.queueDepth()).isEqualTo(2);
        assertThatThrownBy(() -> batcher.submit(new int[] {5}, options, -1, NO_DEADLINE, new Collector()))
                .isInstanceOf(QueueFullException.class).hasMessageContaining("2 requests are already waiting");
        batcher.shutdown();
        assertThatThrownBy(() -> batcher.submit(new int[] {5}, options, -1, NO_DEADLINE, new Collector()))
                .isInstanceOf(RejectedExecutionException.class).hasMessageContaining("shutting down");
        gate.release(1000);
        batcher.close();
        int[][] prompts = {{1, 2}, {3}, {4}};
        for (int i = 0; i < 3; i++) {
            assertThat(sinks.get(i).end).isCompletedWithValue(FinishReason.LENGTH);
            runtime.gate = null;
            assertThat(sinks.get(i).ids()).containsExactly(runtime.alone(prompts[i], options));
        }
    }

    @Test
    void deadlineEndsAQueuedOrRunningSequenceWithTimeout() throws Exception {
        ToyRuntime runtime = new ToyRuntime(30, 64);
        try (ContinuousBatcher batcher = new ContinuousBatcher(runtime, 4, 10)) {
            Collector late = new Collector();
            batcher.submit(new int[] {1}, GenerationOptions.greedy(10), -1, System.nanoTime() - 1, late);
            assertThat(late.end.get()).isEqualTo(FinishReason.TIMEOUT);
            assertThat(late.ids()).isEmpty();
            Collector ok = new Collector();
            batcher.submit(new int[] {1}, GenerationOptions.greedy(10), -1, NO_DEADLINE, ok);
            assertThat(ok.end.get()).isEqualTo(FinishReason.LENGTH);
        }
    }

    @Test
    void runtimeFailureEndsItsSequencesWithErrorAndTheNextOnesRun() throws Exception {
        ToyRuntime runtime = new ToyRuntime(30, 64);
        runtime.poison = 29;
        try (ContinuousBatcher batcher = new ContinuousBatcher(runtime, 4, 10)) {
            Collector bad = new Collector();
            batcher.submit(new int[] {29}, GenerationOptions.greedy(10), -1, NO_DEADLINE, bad);
            assertThat(bad.end.get()).isEqualTo(FinishReason.ERROR);
            assertThat(bad.error).hasMessageContaining("poisoned token 29");
            runtime.poison = -1;
            Collector ok = new Collector();
            batcher.submit(new int[] {2, 3}, GenerationOptions.greedy(10), -1, NO_DEADLINE, ok);
            assertThat(ok.end.get()).isEqualTo(FinishReason.LENGTH);
            assertThat(ok.ids()).containsExactly(runtime.alone(new int[] {2, 3}, GenerationOptions.greedy(10)));
        }
        assertThat(runtime.openCaches.get()).isZero();
    }

    @Test
    void promptsTheContextCannotHoldAreRefused() {
        ToyRuntime runtime = new ToyRuntime(30, 16);
        try (ContinuousBatcher batcher = new ContinuousBatcher(runtime, 4, 10)) {
            assertThatThrownBy(() -> batcher.submit(new int[10], GenerationOptions.greedy(7), -1, NO_DEADLINE,
                    new Collector())).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("exceed the model's context of 16").hasMessageContaining("at most 6 tokens");
            assertThatThrownBy(() -> batcher.submit(new int[] {30}, GenerationOptions.greedy(1), -1, NO_DEADLINE,
                    new Collector())).hasMessageContaining("outside the vocabulary [0, 30)");
            assertThatThrownBy(() -> batcher.submit(new int[0], GenerationOptions.greedy(1), -1, NO_DEADLINE,
                    new Collector())).hasMessageContaining("empty");
        }
    }

    @Test
    void logprobsAreTheLogSoftmaxOfTheLogits() throws Exception {
        float[] logits = {1f, 3f, 2f, -1f};
        SampledToken t = Logprobs.of(logits, 0, 4, 2, 3);
        double z = Math.log(Math.exp(1) + Math.exp(3) + Math.exp(2) + Math.exp(-1));
        assertThat(t.logprob()).isCloseTo((float) (2 - z), org.assertj.core.data.Offset.offset(1e-6f));
        assertThat(t.topIds()).containsExactly(1, 2, 0);
        assertThat(t.topLogprobs()[0]).isCloseTo((float) (3 - z), org.assertj.core.data.Offset.offset(1e-6f));
        assertThat(t.topLogprobs()[2]).isCloseTo((float) (1 - z), org.assertj.core.data.Offset.offset(1e-6f));
    }
}
