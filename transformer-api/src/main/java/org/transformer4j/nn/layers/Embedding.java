package org.transformer4j.nn.layers;

import java.util.List;
import org.transformer4j.nn.Ops;
import org.transformer4j.nn.ParameterSpec;
import org.transformer4j.nn.Parameters;
import org.transformer4j.tensor.Shape;
import org.transformer4j.tensor.Tensor;

/** A token embedding table {@code <name>.weight [vocab, dim]}, initialized N(0, 0.02²) as GPT-2. */
public final class Embedding {
    private final String name;
    private final int vocab;
    private final int dim;

    /**
     * A table {@code <name>.weight}.
     *
     * @param name the prefix, e.g. {@code transformer.wte}
     * @param vocab the number of tokens
     * @param dim the embedding width
     */
    public Embedding(String name, int vocab, int dim) {
        this.name = name;
        this.vocab = vocab;
        this.dim = dim;
    }

    /**
     * The weight's full name, e.g. {@code transformer.wte.weight}, for tying it to the output layer.
     *
     * @return the name
     */
    public String weightName() {
        return name + ".weight";
    }

    /**
     * The table's spec.
     *
     * @return one spec
     */
    public List<ParameterSpec> parameterSpecs() {
        return List.of(ParameterSpec.normal(weightName(), Shape.of(vocab, dim), 0.02f));
    }

    /**
     * Looks up {@code ids} (int32, any shape).
     *
     * @param ops the backend's ops
     * @param p the weights
     * @param ids int32 token ids
     * @return {@code ids}' shape plus {@code [dim]}
     */
    public Tensor forward(Ops ops, Parameters p, Tensor ids) {
        return ops.embedding(p.get(weightName()), ids);
    }
}
