package org.transformer4j.generate;

import org.transformer4j.model.GptModel;
import org.transformer4j.model.KvCache;
import org.transformer4j.nn.Ops;
import org.transformer4j.nn.Parameters;
import org.transformer4j.tensor.HostTensor;
import org.transformer4j.tensor.Shape;
import org.transformer4j.tensor.Tensor;

/** A {@link DecodingSession} of a GPT continuing one prompt (already checked and cropped by the caller). */
final class GptDecodingSession implements DecodingSession {
    private final GptModel model;
    private final Ops ops;
    private final Parameters weights;
    private final int[] prompt;
    private final KvCache cache;
    private int batch = 1;

    GptDecodingSession(GptModel model, Ops ops, Parameters weights, int[] prompt) {
        this.model = model;
        this.ops = ops;
        this.weights = weights;
        this.prompt = prompt.clone();
        this.cache = model.newCache();
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
        float[] all = run(prompt, 1, prompt.length);
        int vocab = vocabSize();
        return java.util.Arrays.copyOfRange(all, (prompt.length - 1) * vocab, prompt.length * vocab);
    }

    @Override
    public float[] step(int[] tokens) {
        if (tokens.length != batch) {
            throw new IllegalArgumentException("step: " + tokens.length + " tokens given for a batch of " + batch + " rows");
        }
        return run(tokens, tokens.length, 1);
    }

    @Override
    public void selectRows(int[] rows) {
        if (!Sessions.isIdentity(rows, batch)) {
            cache.selectRows(ops, rows);
        }
        batch = rows.length;
    }

    private float[] run(int[] ids, int rows, int time) {
        try (Tensor in = ops.constant(HostTensor.ofInts(Shape.of(rows, time), ids));
             Tensor logits = model.logits(ops, weights, in, cache, null)) {
            return logits.toFloatArray();
        }
    }

    @Override
    public void close() {
        cache.close();
    }
}
