package org.transformer4j.onnx;

import java.util.Arrays;
import org.transformer4j.generate.DecodingSession;
import org.transformer4j.generate.Sessions;

/**
 * A {@link DecodingSession} of an exported GPT continuing one prompt (already checked and fitted to the context),
 * so the API's search strategies ({@link org.transformer4j.generate.BeamSearch}) run on ONNX Runtime unchanged.
 */
final class OnnxGptSession implements DecodingSession {
    private final OnnxModel model;
    private final int[] prompt;
    private final OnnxKvCache cache;

    OnnxGptSession(OnnxModel model, int[] prompt) {
        this.model = model;
        this.prompt = prompt.clone();
        this.cache = model.newCache(1);
    }

    @Override
    public int vocabSize() {
        return model.config().vocabSize();
    }

    @Override
    public int maxNewTokens() {
        return model.config().contextLength() - prompt.length + 1;
    }

    @Override
    public float[] start() {
        if (cache.length() != 0) {
            throw new IllegalStateException("start() was already called on this decoding session");
        }
        float[] all = model.step(new int[][] {prompt}, cache).floats();
        int vocab = vocabSize();
        return Arrays.copyOfRange(all, (prompt.length - 1) * vocab, prompt.length * vocab);
    }

    @Override
    public float[] step(int[] tokens) {
        if (tokens.length != cache.batch()) {
            throw new IllegalArgumentException("step: " + tokens.length + " tokens given for a batch of " + cache.batch()
                    + " rows");
        }
        int[][] ids = new int[tokens.length][];
        for (int b = 0; b < tokens.length; b++) {
            ids[b] = new int[] {tokens[b]};
        }
        return model.step(ids, cache).floats();
    }

    @Override
    public void selectRows(int[] rows) {
        if (!Sessions.isIdentity(rows, cache.batch())) {
            cache.selectRows(rows);
        }
    }

    @Override
    public void close() {
        cache.close();
    }
}
