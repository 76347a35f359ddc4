/**
 * The backend-neutral API of transformer4j: tensors, the layer contracts ({@link org.transformer4j.nn.Ops}), models
 * composed once, configs, checkpoints, tokenizers, the training loop, the generation stack, backend discovery and
 * selection, and the front door ({@link org.transformer4j.inference.LanguageModel}). Every package is exported: the
 * helpers that are not API are package-private classes. Backends plug in through the
 * {@link org.transformer4j.backend.Backend} service (on the class path through
 * {@code META-INF/services/org.transformer4j.backend.Backend}).
 */
module org.transformer4j.api {
    requires com.fasterxml.jackson.databind; // config.json, tokenizer.json, safetensors headers: tree model only

    exports org.transformer4j.backend;
    exports org.transformer4j.data;
    exports org.transformer4j.generate;
    exports org.transformer4j.inference;
    exports org.transformer4j.io;
    exports org.transformer4j.lora;
    exports org.transformer4j.model;
    exports org.transformer4j.nn;
    exports org.transformer4j.nn.layers;
    exports org.transformer4j.tensor;
    exports org.transformer4j.tokenizer;
    exports org.transformer4j.train;
    exports org.transformer4j.train.distributed;

    uses org.transformer4j.backend.Backend;
}
