package org.transformer4j.serve;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.transformer4j.generate.GenerationOptions;
import org.transformer4j.generate.StopStringStream;
import org.transformer4j.serve.batch.ContinuousBatcher;
import org.transformer4j.serve.batch.FinishReason;
import org.transformer4j.serve.batch.QueueFullException;
import org.transformer4j.serve.batch.SampledToken;
import org.transformer4j.serve.batch.Sequence;
import org.transformer4j.serve.batch.TokenSink;
import org.transformer4j.tokenizer.Tokenizer;

/**
 * One request's choices on the {@link ContinuousBatcher}: submits a sequence per choice, then, on the request's own
 * (virtual) thread, turns their tokens into text ({@link StopStringStream}: held back while a stop string may still
 * match, cut before it) and hands the pieces to an {@link Output}. The batcher's thread only queues events, so text
 * decoding never slows the batch. When a stop string matches, the sequence is cancelled (its slot frees at the next
 * step); when the output fails (the client went away), every sequence of the call is cancelled.
 */
final class GenerationCall {

    /** Where the text goes: the SSE stream, or nothing until the whole answer is built. */
    interface Output {
        /** New text of a choice (maybe empty) and the tokens that produced it. */
        void delta(int choice, String text, List<SampledToken> tokens);

        /** A choice ended: {@code stop} or {@code length}. */
        void finish(int choice, String reason);
    }

    /** One choice's state, read by the response writers once the call has run. */
    static final class Choice {
        final int index;
        final StopStringStream text;
        final List<SampledToken> tokens = new ArrayList<>();
        private final List<SampledToken> pending = new ArrayList<>();
        Sequence sequence;
        String finishReason;
        boolean ended;

        Choice(int index, Tokenizer tokenizer, List<String> stops) {
            this.index = index;
            this.text = new StopStringStream(tokenizer, stops);
        }
    }

    private record Event(int choice, SampledToken token, FinishReason end, RuntimeException error) {
    }

    private final Job job;
    private final ServedModel model;
    private final ServerMetrics metrics;
    private final long startNanos;
    private final Choice[] choices;
    private final LinkedBlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final long[] lastTokenNanos;
    private boolean firstToken = true;

    GenerationCall(Job job, ServedModel model, ServerMetrics metrics, long startNanos) {
        this.job = job;
        this.model = model;
        this.metrics = metrics;
        this.startNanos = startNanos;
        this.choices = new Choice[job.choices()];
        this.lastTokenNanos = new long[choices.length];
        for (int c = 0; c < choices.length; c++) {
            choices[c] = new Choice(c, model.tokenizer(), job.options().stopStrings());
        }
    }

    Choice[] choices() {
        return choices;
    }

    /**
     * Queues every choice.
     *
     * @throws ApiError 429 when the queue is full, 503 when the server is shutting down
     */
    void submit(ContinuousBatcher batcher, long deadlineNanos) throws ApiError {
        GenerationOptions base = job.options();
        try {
            for (int c = 0; c < choices.length; c++) {
                int[] prompt = job.prompts().get(c / job.n());
                int j = c % job.n();
                GenerationOptions options = new GenerationOptions(base.maxNewTokens(), base.temperature(),
                        base.topK(), base.topP(), base.seed() + j, base.stopTokens(), List.of(), false);
                int index = c;
                choices[c].sequence = batcher.submit(prompt, options, job.topLogprobs(), deadlineNanos,
                        new TokenSink() {
                            @Override
                            public void onToken(SampledToken token) {
                                events.add(new Event(index, token, null, null));
                            }

                            @Override
                            public void onEnd(FinishReason reason, RuntimeException error) {
                                events.add(new Event(index, null, reason, error));
                            }
                        });
            }
        } catch (QueueFullException e) {
            cancelAll();
            throw new ApiError(429, "rate_limit_error", null, "rate_limit_exceeded", e.getMessage());
        } catch (RejectedExecutionException e) {
            cancelAll();
            throw new ApiError(503, "server_error", null, "shutting_down", e.getMessage());
        } catch (IllegalArgumentException e) {
            cancelAll();
            throw ApiError.invalid(null, e.getMessage());
        }
    }

    /** Cancels every choice still running (the client went away, or the call failed). */
    void cancelAll() {
        for (Choice c : choices) {
            if (c.sequence != null) {
                c.sequence.cancel();
            }
        }
    }

    /**
     * Consumes the choices' events until every one has ended, feeding {@code out}.
     *
     * @throws ApiError 504 when the request's deadline passed, 500 when the runtime failed
     * @throws RuntimeException from {@code out} (the sequences are cancelled first)
     */
    void run(Output out, long waitLimitNanos) throws ApiError, InterruptedException {
        int open = choices.length;
        ApiError failure = null;
        try {
            while (open > 0) {
                Event e = events.poll(waitLimitNanos, TimeUnit.NANOSECONDS);
                if (e == null) {
                    throw new IllegalStateException("no progress from the batcher within "
                            + TimeUnit.NANOSECONDS.toSeconds(waitLimitNanos) + " s");
                }
                Choice c = choices[e.choice()];
                if (e.token() != null) {
                    onToken(c, e.token(), out);
                    continue;
                }
                c.ended = true;
                open--;
                if (c.finishReason != null) {
                    continue; // a stop string ended it already
                }
                switch (e.end()) {
                    case STOP, LENGTH -> {
                        String rest = c.text.finish();
                        List<SampledToken> tokens = List.copyOf(c.pending);
                        c.pending.clear();
                        if (!rest.isEmpty() || !tokens.isEmpty()) {
                            out.delta(c.index, rest, tokens);
                        }
                        c.finishReason = e.end() == FinishReason.STOP ? "stop" : "length";
                        out.finish(c.index, c.finishReason);
                    }
                    case CANCELLED -> c.finishReason = "cancelled";
                    case TIMEOUT -> {
                        c.finishReason = "timeout";
                        if (failure == null) {
                            failure = new ApiError(504, "server_error", null, "timeout",
                                    "the request did not finish within the server's request timeout; ask for fewer"
                                            + " tokens or retry when the server is less busy");
                        }
                        cancelAll();
                    }
                    case ERROR -> {
                        c.finishReason = "error";
                        if (failure == null) {
                            failure = new ApiError(500, "server_error", null, "runtime_error",
                                    "the model's runtime failed on this request: "
                                            + (e.error() == null ? "unknown error" : e.error().getMessage()));
                        }
                        cancelAll();
                    }
                }
            }
        } catch (RuntimeException | InterruptedException ex) {
            cancelAll();
            throw ex;
        }
        if (failure != null) {
            throw failure;
        }
    }

    private void onToken(Choice c, SampledToken token, GenerationCall.Output out) {
        long now = System.nanoTime();
        if (firstToken) {
            firstToken = false;
            metrics.timeToFirstToken(now - startNanos);
        } else if (lastTokenNanos[c.index] != 0) {
            metrics.interTokenLatency(now - lastTokenNanos[c.index]);
        }
        lastTokenNanos[c.index] = now;
        metrics.tokensDelivered(1);
        if (c.finishReason != null) {
            return; // produced after a stop string matched, before the cancel took effect
        }
        c.tokens.add(token);
        c.pending.add(token);
        if (job.options().stopTokens().contains(token.id())) {
            return; // ends the sequence (STOP follows) and is never shown
        }
        String piece = c.text.push(token.id());
        if (!piece.isEmpty()) {
            List<SampledToken> tokens = List.copyOf(c.pending);
            c.pending.clear();
            out.delta(c.index, piece, tokens);
        }
        if (c.text.stopped()) {
            c.sequence.cancel();
            List<SampledToken> tokens = List.copyOf(c.pending);
            c.pending.clear();
            if (!tokens.isEmpty()) {
                out.delta(c.index, "", tokens);
            }
            c.finishReason = "stop";
            out.finish(c.index, "stop");
        }
    }

    /** Tokens generated for the answer, over all choices (those after a stop string are not counted). */
    int completionTokens() {
        int total = 0;
        for (Choice c : choices) {
            total += c.tokens.size();
        }
        return total;
    }
}
