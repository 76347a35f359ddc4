package org.transformer4j.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@link SamplingSearch} on a scripted model whose next token is a position-weighted checksum of the tokens it
 * sees: the tokens, the sliding window, the stops and the session bookkeeping, against a plain loop written here.
 */
class SamplingSearchTest {
    private static final int VOCAB = 7;
    private static final int CONTEXT = 6;

    /** The scripted model's choice after seeing {@code seq}: sum of (i+1) * seq[i], mod the vocabulary. */
    private static int next(List<Integer> seq) {
        int s = 0;
        for (int i = 0; i < seq.size(); i++) {
            s += (i + 1) * seq.get(i);
        }
        return s % VOCAB;
    }

    /** A session that sees its prefix and every stepped token, and refuses to hold more than the context. */
    private static class ScriptedSession implements DecodingSession {
        final List<Integer> seq = new ArrayList<>();
        final int prefix;
        boolean started;
        boolean closed;

        ScriptedSession(int[] prefix) {
            for (int t : prefix) {
                seq.add(t);
            }
            this.prefix = prefix.length;
        }

        @Override
        public int vocabSize() {
            return VOCAB;
        }

        @Override
        public int maxNewTokens() {
            return CONTEXT - prefix + 1;
        }

        @Override
        public float[] start() {
            assertTrue(!started && !closed, "start once, on an open session");
            started = true;
            return oneHot(next(seq));
        }

        @Override
        public float[] step(int[] tokens) {
            assertTrue(started && !closed && tokens.length == 1);
            seq.add(tokens[0]);
            assertTrue(seq.size() <= CONTEXT, "the session holds " + seq.size() + " tokens, more than the context");
            return oneHot(next(seq));
        }

        @Override
        public void selectRows(int[] rows) {
            throw new AssertionError("sampling never reorders rows");
        }

        @Override
        public void close() {
            closed = true;
        }

        private static float[] oneHot(int token) {
            float[] l = new float[VOCAB];
            l[token] = 5f;
            return l;
        }
    }

    /** A generator opening scripted sessions, keeping them for inspection. */
    private static final class ScriptedGenerator implements TokenGenerator {
        final List<ScriptedSession> opened = new ArrayList<>();

        @Override
        public int vocabSize() {
            return VOCAB;
        }

        @Override
        public int contextLength() {
            return CONTEXT;
        }

        @Override
        public DecodingSession session(int[] prompt, boolean cropPrompt) {
            ScriptedSession s = new ScriptedSession(Sessions.checkTokens(prompt, VOCAB, CONTEXT, cropPrompt, "the prompt"));
            opened.add(s);
            return s;
        }
    }

    /**
     * The reference: the model sees the prompt's last CONTEXT tokens; each new token is appended, and when the seen
     * tokens would pass the context they become the last CONTEXT / 2 tokens of everything so far.
     */
    private static int[] reference(int[] prompt, int n) {
        List<Integer> all = new ArrayList<>();
        for (int t : prompt) {
            all.add(t);
        }
        List<Integer> seen = new ArrayList<>(all.subList(Math.max(0, all.size() - CONTEXT), all.size()));
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = next(seen);
            all.add(out[i]);
            if (seen.size() + 1 > CONTEXT) {
                seen = new ArrayList<>(all.subList(all.size() - CONTEXT / 2, all.size()));
            } else {
                seen.add(out[i]);
            }
        }
        return out;
    }

    @Test
    void greedyTokensSlideTheWindowAndCloseEverySession() {
        int[] prompt = {3, 1, 4};
        ScriptedGenerator g = new ScriptedGenerator();
        int[] got = g.generate(prompt, GenerationOptions.greedy(20), t -> true);
        assertArrayEquals(reference(prompt, 20), got);
        // the first session gives 6 - 3 + 1 = 4 tokens, each later one (prefix 3) gives 4: 1 + ceil(16 / 4) sessions
        assertEquals(5, g.opened.size());
        assertEquals(List.of(got[1], got[2], got[3]), g.opened.get(1).seq.subList(0, 3),
                "the second session starts from the last half-window of tokens");
        g.opened.forEach(s -> assertTrue(s.closed, "every session is closed"));
    }

    @Test
    void aCroppedPromptSlidesFromItsLastTokens() {
        int[] prompt = {1, 2, 3, 4, 5, 6, 0, 1, 2};
        ScriptedGenerator g = new ScriptedGenerator();
        assertThrows(IllegalArgumentException.class, () -> g.generate(prompt, GenerationOptions.greedy(3), t -> true));
        int[] got = g.generate(prompt, GenerationOptions.greedy(9).withCropPrompt(true), t -> true);
        assertArrayEquals(reference(prompt, 9), got);
    }

    @Test
    void aStopTokenIsKeptAndEndsGeneration() {
        int[] prompt = {2, 5};
        int[] free = reference(prompt, 12);
        int stop = free[7];
        int first = 0;
        while (free[first] != stop) {
            first++;
        }
        ScriptedGenerator g = new ScriptedGenerator();
        int[] got = g.generate(prompt, GenerationOptions.greedy(12).withStopTokens(Set.of(stop)), t -> true);
        assertArrayEquals(Arrays.copyOf(free, first + 1), got);
    }

    @Test
    void theCallbackSeesEveryTokenAndCanStop() {
        int[] prompt = {6};
        List<Integer> seen = new ArrayList<>();
        int[] got = new ScriptedGenerator().generate(prompt, GenerationOptions.greedy(10), t -> {
            seen.add(t);
            return seen.size() < 4;
        });
        assertArrayEquals(Arrays.copyOf(reference(prompt, 10), 4), got);
        assertEquals(4, seen.size());
    }

    @Test
    void zeroTokensRunNothingButStillCheckThePrompt() {
        ScriptedGenerator g = new ScriptedGenerator();
        assertEquals(0, g.generate(new int[] {1}, GenerationOptions.greedy(0), t -> true).length);
        assertTrue(!g.opened.get(0).started && g.opened.get(0).closed);
        assertThrows(IllegalArgumentException.class, () -> g.generate(new int[] {9}, GenerationOptions.greedy(0), t -> true));
    }

    @Test
    void aCallerSessionIsNotSlidNorClosed() {
        ScriptedSession s = new ScriptedSession(new int[] {1, 2});
        var e = assertThrows(IllegalArgumentException.class,
                () -> SamplingSearch.generate(s, GenerationOptions.greedy(6), t -> true));
        assertTrue(e.getMessage().contains("maxNewTokens 6 exceeds the 5 tokens"), e.getMessage());
        int[] got = SamplingSearch.generate(s, GenerationOptions.greedy(5), t -> true);
        assertArrayEquals(reference(new int[] {1, 2}, 5), got);
        assertTrue(!s.closed, "the caller closes its session");
    }

    @Test
    void seededSamplingIsReproducibleAndFollowsTheSampler() {
        // with flat logits every token is possible: the tokens are the sampler's draws, one per step
        DecodingSession flat = new ScriptedSession(new int[] {0}) {
            @Override
            public float[] start() {
                super.start();
                return new float[VOCAB];
            }

            @Override
            public float[] step(int[] tokens) {
                super.step(tokens);
                return new float[VOCAB];
            }
        };
        GenerationOptions options = GenerationOptions.sampling(5, 1f, 0, 77);
        int[] got = SamplingSearch.generate(flat, options, t -> true);
        TokenSampler sampler = new TokenSampler(options);
        for (int i = 0; i < 5; i++) {
            assertEquals(sampler.next(new float[VOCAB], 0, VOCAB), got[i], "draw " + i);
        }
    }
}
