package org.transformer4j.lora;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 * A model with LoRA adapters on some of its linear layers and every base weight frozen: the trainable model a
 * backend sees declares only the adapters, so optimizers, gradients and checkpoints cover them alone, and the base
 * weights enter each forward as constants ({@link Ops#constant}: on the cpu backend the host arrays themselves, not
 * copies). For a target layer {@code y = x Wᵀ + b} becomes {@code y + (alpha/r)·(x Aᵀ) Bᵀ} with
 * {@code A [r, in]} and {@code B [out, r]}, named as PEFT saves them
 * ({@code base_model.model.<layer>.lora_A.weight}, {@code ...lora_B.weight}). A starts as N(0, 1/(3·in)) (the variance
 * of PEFT's Kaiming-uniform), B as zeros, so the adapted model starts equal to the base. Works for any model
 * composed of {@link org.transformer4j.nn.layers.Linear} layers (Llama, GPT, encoder-decoder).
 */
public final class LoraModel implements TrainableModel {
    /** PEFT's prefix of adapter weight names. */
    public static final String PREFIX = "base_model.model.";

    private final TrainableModel base;
    private final Map<String, HostTensor> baseWeights;
    private final LoraConfig config;
    private final Map<String, String[]> adapters = new LinkedHashMap<>();
    private final List<ParameterSpec> specs = new ArrayList<>();

    /**
     * @param base        the model to adapt
     * @param baseWeights its weights (every parameter, with the declared shapes), held frozen and not copied
     * @throws IllegalArgumentException when a base weight is missing or mis-shaped, or no linear layer matches a
     *     target (the message lists the layer names that exist)
     */
    public LoraModel(TrainableModel base, Map<String, HostTensor> baseWeights, LoraConfig config) {
        this.base = base;
        this.baseWeights = Map.copyOf(baseWeights);
        this.config = config;
        TreeSet<String> modules = new TreeSet<>();
        TreeSet<String> matchedTargets = new TreeSet<>();
        for (ParameterSpec s : base.parameterSpecs()) {
            HostTensor w = baseWeights.get(s.name());
            if (w == null || !w.shape().equals(s.shape())) {
                throw new IllegalArgumentException("LoRA: base weight '" + s.name() + "' " + s.shape() + " is "
                        + (w == null ? "missing" : "shaped " + w.shape()) + "; pass the base model's full weights");
            }
            if (!s.name().endsWith(".weight") || s.shape().rank() != 2) {
                continue;
            }
            String layer = s.name().substring(0, s.name().length() - ".weight".length());
            String module = layer.substring(layer.lastIndexOf('.') + 1);
            modules.add(module);
            if (!config.targets().contains(module) || s.name().contains("embed")) {
                continue;
            }
            matchedTargets.add(module);
            int out = s.shape().dim(0);
            int in = s.shape().dim(1);
            String a = PREFIX + layer + ".lora_A.weight";
            String b = PREFIX + layer + ".lora_B.weight";
            adapters.put(layer, new String[] {a, b});
            specs.add(ParameterSpec.normal(a, Shape.of(config.rank(), in), (float) (1 / Math.sqrt(3.0 * in))));
            specs.add(new ParameterSpec(b, Shape.of(out, config.rank()), ParameterSpec.Init.ZEROS, 0f, true));
        }
        List<String> unmatched = new ArrayList<>(config.targets());
        unmatched.removeAll(matchedTargets);
        if (!unmatched.isEmpty()) {
            throw new IllegalArgumentException("LoRA: no linear layer of the model is called " + unmatched
                    + "; the model's linear layers are " + modules);
        }
    }

    public LoraConfig config() {
        return config;
    }

    /** The adapted linear layers' names, e.g. {@code model.layers.0.self_attn.q_proj}. */
    public List<String> adaptedLayers() {
        return List.copyOf(adapters.keySet());
    }

    /** The adapters only: A and B of each adapted layer. */
    @Override
    public List<ParameterSpec> parameterSpecs() {
        return List.copyOf(specs);
    }

    @Override
    public List<String> inputNames() {
        return base.inputNames();
    }

    @Override
    public Tensor loss(Ops ops, Parameters adapterParams, Map<String, Tensor> inputs) {
        return base.loss(ops, parameters(ops, adapterParams), inputs);
    }

    /**
     * The base model's parameters with these adapters attached, for its own forward methods (e.g. logits): base
     * weights uploaded once here as constants, adapters read from {@code adapterParams}.
     */
    public AdaptedParameters parameters(Ops ops, Parameters adapterParams) {
        Map<String, Tensor> frozen = new LinkedHashMap<>();
        float scale = config.scale();
        return new AdaptedParameters() {
            @Override
            public Tensor get(String name) {
                HostTensor w = baseWeights.get(name);
                if (w == null) {
                    return adapterParams.get(name);
                }
                return frozen.computeIfAbsent(name, n -> ops.constant(w));
            }

            @Override
            public Tensor adapt(Ops o, String linear, Tensor x, Tensor y) {
                String[] ab = adapters.get(linear);
                if (ab == null) {
                    return y;
                }
                Tensor low = o.linear(o.linear(x, adapterParams.get(ab[0]), null), adapterParams.get(ab[1]), null);
                return o.add(y, o.scale(low, scale));
            }
        };
    }
}
