package org.transformer4j.lora;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.transformer4j.nn.AdaptedParameters;
import org.transformer4j.nn.Ops;
import org.transformer4j.nn.ParameterSpec;
import org.transformer4j.nn.Parameters;
import org.transformer4j.nn.TrainableModel;
import org.transformer4j.tensor.HostTensor;
import org.transformer4j.tensor.Shape;
import org.transformer4j.tensor.Tensor;

/**
 * A model with LoRA adapters on some of its linear layers and every base weight frozen: it declares only the adapters
 * as {@link #parameterSpecs() trained parameters}, so optimizers, gradients and checkpoints cover them alone, and the
 * base weights as {@link #frozenWeights() frozen} ones, which a training program holds once as they are (no copy per
 * step, no gradient, no optimizer state). For a target layer {@code y = x Wᵀ + b} becomes
 * {@code y + (alpha/r)·(dropout(x) Aᵀ) Bᵀ} with {@code A [r, in]} and {@code B [out, r]}, named as PEFT saves them
 * ({@code base_model.model.<layer>.lora_A.weight}, {@code ...lora_B.weight}). A starts as N(0, 1/(3·in)) (the variance
 * of PEFT's Kaiming-uniform), B as zeros, so the adapted model starts equal to the base. Works for any model composed
 * of {@link org.transformer4j.nn.layers.Linear} layers (GPT, Llama, encoder-decoder).
 */
public final class LoraModel implements TrainableModel {
    /** PEFT's prefix of adapter weight names. */
    public static final String PREFIX = "base_model.model.";
    /** Weights of rank 2 that are embedding tables, not linear layers: no adapter can sit on them. */
    private static final Set<String> EMBEDDINGS = Set.of("wte", "wpe", "embed_tokens", "embed_positions");

    private final TrainableModel base;
    private final Map<String, HostTensor> baseWeights;
    private final LoraConfig config;
    private final Map<String, String[]> adapters = new LinkedHashMap<>();
    private final List<ParameterSpec> specs = new ArrayList<>();

    /**
     * Adapters on the linear layers of {@code base} that {@code config} targets.
     *
     * @param base        the model to adapt
     * @param baseWeights its weights (every parameter, with the declared shapes), held frozen and not copied
     * @param config      rank, alpha, targets and dropout
     * @throws IllegalArgumentException when a base weight is missing or mis-shaped, or a target matches no linear
     *     layer (the message lists the layer names that exist)
     */
    public LoraModel(TrainableModel base, Map<String, HostTensor> baseWeights, LoraConfig config) {
        this.base = base;
        this.config = config;
        Map<String, HostTensor> frozen = new LinkedHashMap<>();
        List<String> linears = new ArrayList<>();
        for (ParameterSpec s : base.parameterSpecs()) {
            HostTensor w = baseWeights.get(s.name());
            if (w == null || !w.shape().equals(s.shape())) {
                throw new IllegalArgumentException("LoRA: base weight '" + s.name() + "' " + s.shape() + " is "
                        + (w == null ? "missing" : "shaped " + w.shape()) + "; pass the base model's full weights");
            }
            frozen.put(s.name(), w.toFloat32());
            if (!s.name().endsWith(".weight") || s.shape().rank() != 2) {
                continue;
            }
            String layer = s.name().substring(0, s.name().length() - ".weight".length());
            if (EMBEDDINGS.contains(layer.substring(layer.lastIndexOf('.') + 1))) {
                continue;
            }
            linears.add(layer);
            if (!config.matches(layer)) {
                continue;
            }
            int out = s.shape().dim(0);
            int in = s.shape().dim(1);
            String a = loraA(layer);
            String b = loraB(layer);
            adapters.put(layer, new String[] {a, b});
            specs.add(ParameterSpec.normal(a, Shape.of(config.rank(), in), (float) (1 / Math.sqrt(3.0 * in))));
            specs.add(new ParameterSpec(b, Shape.of(out, config.rank()), ParameterSpec.Init.ZEROS, 0f, true));
        }
        this.baseWeights = java.util.Collections.unmodifiableMap(frozen);
        List<String> unmatched = new ArrayList<>();
        for (String t : config.targets()) {
            if (!LoraConfig.matchesAny(t, linears)) {
                unmatched.add(t);
            }
        }
        if (!unmatched.isEmpty()) {
            TreeSet<String> modules = new TreeSet<>();
            linears.forEach(l -> modules.add(l.substring(l.lastIndexOf('.') + 1)));
            throw new IllegalArgumentException("LoRA: no linear layer of the model is called " + unmatched
                    + "; the model's linear layers are " + modules);
        }
    }

    /**
     * PEFT's name of the A matrix of a layer.
     *
     * @param layer the linear layer's name
     * @return {@code base_model.model.<layer>.lora_A.weight}
     */
    public static String loraA(String layer) {
        return PREFIX + layer + ".lora_A.weight";
    }

    /**
     * PEFT's name of the B matrix of a layer.
     *
     * @param layer the linear layer's name
     * @return {@code base_model.model.<layer>.lora_B.weight}
     */
    public static String loraB(String layer) {
        return PREFIX + layer + ".lora_B.weight";
    }

    /** {@return rank, alpha, targets and dropout of the adapters} */
    public LoraConfig config() {
        return config;
    }

    /** {@return the model the adapters sit on} */
    public TrainableModel base() {
        return base;
    }

    /** {@return the adapted linear layers' names, e.g. {@code model.layers.0.self_attn.q_proj}} */
    public List<String> adaptedLayers() {
        return List.copyOf(adapters.keySet());
    }

    /** The adapters only: A and B of each adapted layer. */
    @Override
    public List<ParameterSpec> parameterSpecs() {
        return List.copyOf(specs);
    }

    /** Every weight of the base model, as given (float32). */
    @Override
    public Map<String, HostTensor> frozenWeights() {
        return baseWeights;
    }

    @Override
    public List<String> inputNames() {
        return base.inputNames();
    }

    @Override
    public Tensor loss(Ops ops, Parameters params, Map<String, Tensor> inputs) {
        return base.loss(ops, adapted(params), inputs);
    }

    /**
     * The base model's parameters with these adapters attached, for its own forward methods (e.g. logits):
     * {@code all} serves both the base weights and the adapters (a training program's parameters, or an engine's
     * weights loaded from the base weights together with an adapter's tensors).
     *
     * @param all the base weights and the adapters' A and B matrices, by name
     * @return parameters whose target linear layers add the scaled adapter branch
     */
    public AdaptedParameters adapted(Parameters all) {
        float scale = config.scale();
        float dropout = config.dropout();
        return new AdaptedParameters() {
            @Override
            public Tensor get(String name) {
                return all.get(name);
            }

            @Override
            public Tensor adapt(Ops o, String linear, Tensor x, Tensor y) {
                String[] ab = adapters.get(linear);
                if (ab == null) {
                    return y;
                }
                Tensor in = dropout > 0f ? o.dropout(x, dropout) : x;
                Tensor low = o.linear(o.linear(in, all.get(ab[0]), null), all.get(ab[1]), null);
                return o.add(y, o.scale(low, scale));
            }
        };
    }

    /**
     * The trained adapter: the A and B matrices from {@code weights} (a training program's weights) with this
     * config, for saving in PEFT's layout or merging.
     *
     * @param weights     the trained weights by name; every adapter tensor must be present
     * @param baseModel   what {@code base_model_name_or_path} records (the base model's directory)
     * @param fanInFanOut whether the base stores these layers as Conv1D {@code [in, out]} (Hugging Face GPT-2)
     * @return the adapter, task type {@code SEQ_2_SEQ_LM} for an encoder-decoder base, else {@code CAUSAL_LM}
     * @throws IllegalArgumentException when an adapter tensor is missing from {@code weights}
     */
    public LoraAdapter adapter(Map<String, HostTensor> weights, String baseModel, boolean fanInFanOut) {
        Map<String, HostTensor> tensors = new LinkedHashMap<>();
        for (ParameterSpec s : specs) {
            HostTensor t = weights.get(s.name());
            if (t == null) {
                throw new IllegalArgumentException("the weights have no adapter tensor '" + s.name() + "'; pass the "
                        + "training program's weights()");
            }
            tensors.put(s.name(), t);
        }
        String task = base instanceof org.transformer4j.model.Seq2SeqModel ? "SEQ_2_SEQ_LM" : LoraAdapter.CAUSAL_LM;
        return new LoraAdapter(config, baseModel, task, fanInFanOut, tensors);
    }
}
