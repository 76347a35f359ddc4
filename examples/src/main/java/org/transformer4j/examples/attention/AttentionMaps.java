package org.transformer4j.examples.attention;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.transformer4j.backend.InferenceEngine;
import org.transformer4j.examples.translate.GreedyTranslator;
import org.transformer4j.model.GptConfig;
import org.transformer4j.model.GptModel;
import org.transformer4j.model.ModelConfig;
import org.transformer4j.model.Seq2SeqConfig;
import org.transformer4j.model.Seq2SeqModel;
import org.transformer4j.nn.Parameters;
import org.transformer4j.tensor.HostTensor;
import org.transformer4j.tensor.Shape;
import org.transformer4j.tensor.Tensor;
import org.transformer4j.tokenizer.Tokenizer;

/**
 * Attention weights of a trained model for one input, on any inference backend: the model runs once through
 * an {@link AttentionRecorder} and the chosen head's weights are recomputed in Java from the recorded queries
 * and keys.
 *
 * <ul>
 *   <li>GPT ({@link AttentionKind#SELF}): the input's tokens attend to themselves, causally.</li>
 *   <li>Encoder-decoder: the input is the source; the target is given, or else the model's greedy
 *       translation of the source. {@link AttentionKind#ENCODER}: source × source; {@link AttentionKind#DECODER}:
 *       decoder input ({@code <bos>} + target) × itself, causally; {@link AttentionKind#CROSS}: each output token
 *       (target + {@code <eos>}) × source, the row of a token showing where the decoder looked to write it.</li>
 * </ul>
 */
public final class AttentionMaps {
    private AttentionMaps() {
    }

    /**
     * The map of head {@code head} of layer {@code layer} (both 0-based) for {@code input}.
     *
     * @param target the target text for an encoder-decoder (null: its greedy translation); must be null for a GPT
     * @throws IllegalArgumentException if the kind does not fit the model, the layer or head is out of range, or the
     *     input cannot be encoded or is longer than the context
     */
    public static AttentionMap compute(ModelConfig config, Parameters weights, Tokenizer tokenizer, InferenceEngine engine,
                                       String input, String target, AttentionKind kind, int layer, int head) {
        if (head < 0 || head >= config.heads()) {
            throw new IllegalArgumentException("head " + head + " is out of range: the model has " + config.heads()
                    + " heads (0.." + (config.heads() - 1) + ")");
        }
        return switch (config) {
            case GptConfig g -> gpt(g, weights, tokenizer, engine, input, target, kind, layer, head);
            case Seq2SeqConfig s -> seq2seq(s, weights, tokenizer, engine, input, target, kind, layer, head);
        };
    }

    private static AttentionMap gpt(GptConfig config, Parameters weights, Tokenizer tokenizer, InferenceEngine engine, String input,
                                    String target, AttentionKind kind, int layer, int head) {
        if (kind != AttentionKind.SELF) {
            throw new IllegalArgumentException("a GPT has only self-attention; use kind self, not " + name(kind));
        }
        if (target != null) {
            throw new IllegalArgumentException("a target text is for encoder-decoder models; a GPT reads only the input");
        }
        checkLayer(layer, config.layers(), "layers");
        int[] ids = encode(tokenizer, input, config.contextLength(), true);
        AttentionRecorder recorder = new AttentionRecorder(engine.inferenceOps());
        try (Tensor in = recorder.constant(HostTensor.ofInts(Shape.of(1, ids.length), ids));
             Tensor ignored = new GptModel(config).logits(recorder, weights, in, null, null)) {
            List<String> labels = labels(tokenizer, ids);
            return new AttentionMap(recorder.calls().get(layer).weights(0, head), labels, labels,
                    title("self-attention", layer, head));
        }
    }

    private static AttentionMap seq2seq(Seq2SeqConfig config, Parameters weights, Tokenizer tokenizer, InferenceEngine engine,
                                        String input, String target, AttentionKind kind, int layer, int head) {
        Seq2SeqModel model = new Seq2SeqModel(config);
        boolean encoder = kind == AttentionKind.SELF || kind == AttentionKind.ENCODER;
        checkLayer(layer, encoder ? config.encoderLayers() : config.decoderLayers(), encoder ? "encoder layers" : "decoder layers");
        int[] src = encode(tokenizer, input, config.contextLength(), false);
        int[] tgt = target != null ? encode(tokenizer, target, config.contextLength() - 1, false)
                : new GreedyTranslator(model, engine, weights, tokenizer).translateIds(List.of(src)).getFirst();
        if (tgt.length + 1 > config.contextLength()) {
            tgt = java.util.Arrays.copyOf(tgt, config.contextLength() - 1);
        }
        int bos = tokenizer.bosId().orElseThrow();
        int eos = tokenizer.eosId().orElseThrow();
        int[] tgtIn = new int[tgt.length + 1];
        int[] outputs = new int[tgt.length + 1];
        tgtIn[0] = bos;
        System.arraycopy(tgt, 0, tgtIn, 1, tgt.length);
        System.arraycopy(tgt, 0, outputs, 0, tgt.length);
        outputs[tgt.length] = eos;
        AttentionRecorder recorder = new AttentionRecorder(engine.inferenceOps());
        int[] ones = new int[src.length];
        java.util.Arrays.fill(ones, 1);
        try (Tensor srcIds = recorder.constant(HostTensor.ofInts(Shape.of(1, src.length), src));
             Tensor mask = recorder.constant(HostTensor.ofInts(Shape.of(1, src.length), ones));
             Tensor memory = model.encode(recorder, weights, srcIds, mask);
             Tensor in = recorder.constant(HostTensor.ofInts(Shape.of(1, tgtIn.length), tgtIn));
             Tensor ignored = model.decode(recorder, weights, in, memory, mask, null)) {
            List<RecordedAttention> calls = recorder.calls();
            int e = config.encoderLayers();
            return switch (kind) {
                case SELF, ENCODER -> new AttentionMap(calls.get(layer).weights(0, head), labels(tokenizer, src),
                        labels(tokenizer, src), title("encoder self-attention", layer, head));
                case DECODER -> new AttentionMap(calls.get(e + 2 * layer).weights(0, head), labels(tokenizer, tgtIn),
                        labels(tokenizer, tgtIn), title("decoder self-attention", layer, head));
                case CROSS -> new AttentionMap(calls.get(e + 2 * layer + 1).weights(0, head), labels(tokenizer, outputs),
                        labels(tokenizer, src), title("cross-attention", layer, head));
            };
        }
    }

    private static void checkLayer(int layer, int layers, String what) {
        if (layer < 0 || layer >= layers) {
            throw new IllegalArgumentException("layer " + layer + " is out of range: the model has " + layers + " " + what
                    + " (0.." + (layers - 1) + ")");
        }
    }

    private static int[] encode(Tokenizer tokenizer, String text, int context, boolean parseSpecials) {
        int[] ids = tokenizer.encode(text, parseSpecials);
        if (ids.length == 0) {
            throw new IllegalArgumentException("the input text is empty; give at least one token");
        }
        if (ids.length > context) {
            throw new IllegalArgumentException("the text \"" + text + "\" has " + ids.length + " tokens but at most "
                    + context + " fit; shorten it");
        }
        return ids;
    }

    /** One readable label per token: its text, with a space shown as ␣ and line breaks as ⏎. */
    public static List<String> labels(Tokenizer tokenizer, int[] ids) {
        List<String> out = new ArrayList<>(ids.length);
        for (int id : ids) {
            String s = tokenizer.decode(new int[] {id});
            out.add(s.replace(" ", "\u2423").replace("\n", "\u23CE").replace("\t", "\u21E5"));
        }
        return out;
    }

    private static String title(String what, int layer, int head) {
        return String.format(Locale.ROOT, "%s, layer %d, head %d", what, layer, head);
    }

    private static String name(AttentionKind kind) {
        return kind.name().toLowerCase(Locale.ROOT);
    }
}
