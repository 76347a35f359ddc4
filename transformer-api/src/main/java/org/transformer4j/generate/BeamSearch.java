package org.transformer4j.generate;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * Beam search over any {@link DecodingSession} (GPT or encoder-decoder): keeps the {@code width} most probable
 * partial outputs, runs them together as one batch of {@code width} rows, and reorders the session's cache rows
 * after each step so every row continues its own hypothesis.
 *
 * <p>At each step every alive hypothesis is extended by every token; the candidates are ranked by their summed
 * log-probability (ties: the earlier hypothesis, then the lower token id). Walking down that ranking, an
 * end-of-sequence token among the first {@code width} candidates moves the hypothesis to the finished ones
 * (scored {@code logProb / length^lengthPenalty}, as Hugging Face and GNMT do), and the other candidates fill the
 * {@code width} alive rows. The search stops at {@code maxNewTokens} (the alive hypotheses then join the results,
 * marked unfinished) or as soon as the {@code nBest} best finished hypotheses score at least as well as any alive
 * one possibly can: an alive hypothesis's log-probability only falls as it grows, so its best possible score is
 * {@code logProb / L^α} with {@code L} the longest allowed length when {@code α > 0} and the next length otherwise.
 * With width 1 and no end-of-sequence token it is greedy decoding.
 */
public final class BeamSearch {
    private BeamSearch() {
    }

    /**
     * Runs the search on a freshly created session (it calls {@link DecodingSession#start()}); the caller closes
     * the session.
     *
     * @param session the prompt's decoding state, advanced and reordered by the search
     * @param options width, length penalty, limits, n-best and end tokens
     * @return up to {@code nBest} hypotheses, best score first
     */
    public static List<Hypothesis> search(DecodingSession session, BeamSearchOptions options) {
        int vocab = session.vocabSize();
        int width = options.width();
        int maxNew = options.maxNewTokens();
        if (maxNew > session.maxNewTokens()) {
            throw new IllegalArgumentException("beam search for " + maxNew + " new tokens does not fit the model's context"
                    + " window: at most " + session.maxNewTokens() + " are possible after this prefix; lower maxNewTokens"
                    + " or shorten the prompt (beam search does not slide the window)");
        }
        double alpha = options.lengthPenalty();
        List<Hypothesis> finished = new ArrayList<>();
        int[][] alive = {new int[0]};
        double[] sums = {0.0};
        float[] logits = session.start();
        int keepCandidates = width * (1 + options.eosTokens().size());
        for (int step = 1; ; step++) {
            int rows = alive.length;
            if (logits.length != rows * vocab) {
                throw new IllegalStateException("the decoding session returned " + logits.length + " logits for "
                        + rows + " rows of vocabulary " + vocab);
            }
            double[] candidates = new double[rows * vocab];
            for (int b = 0; b < rows; b++) {
                logSoftmax(logits, b * vocab, vocab, sums[b], candidates);
            }
            int[] ranked = top(candidates, Math.min(keepCandidates, candidates.length));
            List<int[]> nextAlive = new ArrayList<>();
            List<Double> nextSums = new ArrayList<>();
            int[] parents = new int[width];
            int[] lastTokens = new int[width];
            for (int rank = 0; rank < ranked.length && nextAlive.size() < width; rank++) {
                int idx = ranked[rank];
                double sum = candidates[idx];
                if (sum == Double.NEGATIVE_INFINITY || Double.isNaN(sum)) {
                    break; // impossible continuations (logits of -inf)
                }
                int b = idx / vocab;
                int token = idx % vocab;
                if (options.eosTokens().contains(token)) {
                    if (rank < width) {
                        finished.add(new Hypothesis(alive[b], sum, sum / Math.pow(step, alpha), true));
                    }
                    continue;
                }
                int[] extended = Arrays.copyOf(alive[b], step);
                extended[step - 1] = token;
                parents[nextAlive.size()] = b;
                lastTokens[nextAlive.size()] = token;
                nextAlive.add(extended);
                nextSums.add(sum);
            }
            alive = nextAlive.toArray(new int[0][]);
            sums = nextSums.stream().mapToDouble(Double::doubleValue).toArray();
            if (step == maxNew) {
                for (int b = 0; b < alive.length; b++) {
                    finished.add(new Hypothesis(alive[b], sums[b], sums[b] / Math.pow(step, alpha), false));
                }
                break;
            }
            if (alive.length == 0 || done(finished, sums, options, step)) {
                break;
            }
            session.selectRows(Arrays.copyOf(parents, alive.length));
            logits = session.step(Arrays.copyOf(lastTokens, alive.length));
        }
        List<Hypothesis> sorted = new ArrayList<>(finished);
        sorted.sort(Comparator.comparingDouble(Hypothesis::score).reversed());
        return List.copyOf(sorted.subList(0, Math.min(options.nBest(), sorted.size())));
    }

    /** True when the nBest-th finished score is at least the best score any alive hypothesis could still reach. */
    private static boolean done(List<Hypothesis> finished, double[] aliveSums, BeamSearchOptions options, int step) {
        if (finished.size() < options.nBest()) {
            return false;
        }
        double[] scores = finished.stream().mapToDouble(Hypothesis::score).sorted().toArray();
        double threshold = scores[scores.length - options.nBest()];
        double alpha = options.lengthPenalty();
        int bestLength = alpha > 0 ? options.maxNewTokens() : step + 1;
        for (double sum : aliveSums) {
            if (sum / Math.pow(bestLength, alpha) > threshold) {
                return false;
            }
        }
        return true;
    }

    /** {@code out[offset + v] = base + log softmax(logits[offset .. offset+vocab))[v]}, computed in double. */
    private static void logSoftmax(float[] logits, int offset, int vocab, double base, double[] out) {
        double max = Double.NEGATIVE_INFINITY;
        for (int v = 0; v < vocab; v++) {
            max = Math.max(max, logits[offset + v]);
        }
        double sum = 0;
        for (int v = 0; v < vocab; v++) {
            sum += Math.exp(logits[offset + v] - max);
        }
        double logZ = max + Math.log(sum);
        for (int v = 0; v < vocab; v++) {
            out[offset + v] = base + (logits[offset + v] - logZ);
        }
    }

    /** Indices of the {@code k} largest values, best first; ties go to the lower index. */
    private static int[] top(double[] values, int k) {
        Comparator<Integer> better = (a, b) -> {
            int c = Double.compare(values[a], values[b]);
            return c != 0 ? c : Integer.compare(b, a);
        };
        PriorityQueue<Integer> heap = new PriorityQueue<>(k + 1, better); // the worst kept candidate on top
        for (int i = 0; i < values.length; i++) {
            if (heap.size() < k) {
                heap.add(i);
            } else if (better.compare(i, heap.peek()) > 0) {
                heap.poll();
                heap.add(i);
            }
        }
        int[] out = new int[heap.size()];
        for (int i = out.length - 1; i >= 0; i--) {
            out[i] = heap.poll();
        }
        return out;
    }
}
