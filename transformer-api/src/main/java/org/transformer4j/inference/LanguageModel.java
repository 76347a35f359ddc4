package org.transformer4j.inference;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.IntPredicate;
import org.transformer4j.backend.WeightPrecision;
import org.transformer4j.generate.BeamSearchOptions;
import org.transformer4j.generate.GeneratedText;
import org.transformer4j.generate.GenerationOptions;
import org.transformer4j.generate.GptGenerator;
import org.transformer4j.generate.GptRuntime;
import org.transformer4j.generate.Hypothesis;
import org.transformer4j.generate.Seq2SeqGenerator;
import org.transformer4j.generate.Seq2SeqRuntime;
import org.transformer4j.generate.StopStringStream;
import org.transformer4j.generate.TextGenerator;
import org.transformer4j.model.GenerationDefaults;
import org.transformer4j.model.ModelConfig;
import org.transformer4j.tokenizer.Tokenizer;

/**
 * The front door: a model directory opened on a backend, ready to generate, in two calls.
 *
 * <pre>{@code
 * try (LanguageModel lm = LanguageModel.open(Path.of("runs/shakespeare"))) {
 *     GeneratedText t = lm.generate("ROMEO:", GenerationOptions.greedy(100));
 * }
 * LanguageModel lm = LanguageModel.builder(dir).backend("onnx").device("cpu").threads(2).open();
 * }</pre>
 *
 * <p>The directory is a model directory ({@code config.json}, weights, {@code tokenizer.json}), run from its weights
 * by a backend that infers from weights (cpu, tensorflow), or an exported directory ({@code model.onnx}, or
 * {@code encoder.onnx} and {@code decoder.onnx}), served by a backend that serves exported graphs (onnx); the
 * backend selection rules of {@link org.transformer4j.backend.BackendRegistry} pick among the backends on the
 * classpath that can (see {@link Builder#open()}). Decoder-only models (a GPT, or a Llama-family directory of
 * Hugging Face's {@code LlamaForCausalLM}, {@code Qwen2ForCausalLM} or {@code MistralForCausalLM}) continue the
 * prompt; for an encoder-decoder the prompt is the source and the output its target (from the tokenizer's
 * {@code <bos>} to its {@code <eos>}).
 *
 * <p>Thread-safe: every call has its own cache, and the model can be used by many threads at once. Close it (not
 * while calls are running) to free the engine, the weights and the native sessions.
 */
public final class LanguageModel implements AutoCloseable {
    private final Path directory;
    private final ModelConfig config;
    private final Tokenizer tokenizer;
    private final String backend;
    private final String device;
    private final GptRuntime gpt;
    private final Seq2SeqGenerator seq2seq;
    private final TextGenerator text;
    private final AutoCloseable resources;
    private GenerationDefaults generationDefaults = GenerationDefaults.NONE;

    LanguageModel(Path directory, ModelConfig config, Tokenizer tokenizer, String backend, String device,
            GptRuntime gpt, Seq2SeqRuntime seq2seq, AutoCloseable resources) {
        this.directory = directory;
        this.config = config;
        this.tokenizer = tokenizer;
        this.backend = backend;
        this.device = device;
        // a tokenizer smaller than the embedding (a padded vocabulary) must never be handed an id it cannot decode
        this.gpt = gpt == null ? null : GptRuntime.limitVocabulary(gpt, tokenizer.vocabSize());
        this.resources = resources;
        if (gpt != null) {
            this.seq2seq = null;
            this.text = new TextGenerator(new GptGenerator(this.gpt), tokenizer);
        } else {
            String where = directory + "'s tokenizer";
            int bos = tokenizer.bosId().orElseThrow(() -> new IllegalArgumentException(where
                    + " has no <bos> token; an encoder-decoder needs <bos> and <eos> special tokens"));
            int eos = tokenizer.eosId().orElseThrow(() -> new IllegalArgumentException(where
                    + " has no <eos> token; an encoder-decoder needs <bos> and <eos> special tokens"));
            this.seq2seq = new Seq2SeqGenerator(Objects.requireNonNull(seq2seq, "runtime"), bos, eos);
            this.text = new TextGenerator(this.seq2seq, tokenizer);
        }
    }

    /**
     * Opens {@code dir} on the backend the selection rules pick, with default options.
     *
     * @param dir a model directory ({@code config.json}, weights, tokenizer) or an exported one ({@code model.onnx})
     * @return the open model; close it to free the engine and weights
     * @throws IOException when a file cannot be read or is malformed (naming the file)
     */
    public static LanguageModel open(Path dir) throws IOException {
        return builder(dir).open();
    }

    /**
     * A builder to name the backend, device, threads or seed before opening {@code dir}.
     *
     * @param dir the model directory
     * @return the builder
     */
    public static Builder builder(Path dir) {
        return new Builder(dir);
    }

    /**
     * The directory this model was opened from.
     *
     * @return the path given to {@link #open(Path)}
     */
    public Path directory() {
        return directory;
    }

    /**
     * The architecture.
     *
     * @return a GPT's, Llama's or encoder-decoder's config
     */
    public ModelConfig config() {
        return config;
    }

    /**
     * The tokenizer.
     *
     * @return the model's tokenizer
     */
    public Tokenizer tokenizer() {
        return tokenizer;
    }

    /**
     * The backend that runs the model, e.g. {@code cpu} or {@code onnx}.
     *
     * @return the backend's name
     */
    public String backend() {
        return backend;
    }

    /**
     * The device asked for, or the backend's default device.
     *
     * @return the device's name
     */
    public String device() {
        return device;
    }

    /**
     * The context length: the most tokens the model sees at once.
     *
     * @return the context length, in tokens
     */
    public int contextLength() {
        return config.contextLength();
    }

    /**
     * Number of token ids the model knows.
     *
     * @return the vocabulary size
     */
    public int vocabSize() {
        return config.vocabSize();
    }

    /**
     * The directory's generation defaults ({@code generation_config.json}, or config.json's bos/eos), to apply with
     * {@link GenerationOptions#withDefaults} before the caller's own settings; {@link GenerationDefaults#NONE} when
     * the directory gives none (an exported graph).
     *
     * @return the defaults, possibly {@link GenerationDefaults#NONE}
     */
    public GenerationDefaults generationDefaults() {
        return generationDefaults;
    }

    /** Sets the directory's generation defaults (while opening). */
    LanguageModel withGenerationDefaults(GenerationDefaults defaults) {
        this.generationDefaults = Objects.requireNonNull(defaults, "defaults");
        return this;
    }

    /**
     * True for a decoder-only model (a GPT or a Llama-family model), false for an encoder-decoder.
     *
     * @return whether it is decoder-only
     */
    public boolean isGpt() {
        return gpt != null;
    }

    /**
     * The GPT runtime (prefill and steps against a key/value cache), for servers that run their own
     * continuous-batching loop; empty for an encoder-decoder. It lives as long as this model.
     *
     * @return the runtime, or empty
     */
    public Optional<GptRuntime> gptRuntime() {
        return Optional.ofNullable(gpt);
    }

    /**
     * The encoder-decoder runtime; empty for a GPT. It lives as long as this model.
     *
     * @return the runtime, or empty
     */
    public Optional<Seq2SeqRuntime> seq2seqRuntime() {
        return seq2seq == null ? Optional.empty() : Optional.of(seq2seq.runtime());
    }

    /**
     * Continues (GPT) or translates (encoder-decoder) {@code prompt}.
     *
     * @param prompt the text to continue or translate
     * @param options sampling, length and stop settings
     * @return the new text and its tokens (and the stop string that ended it, if any)
     */
    public GeneratedText generate(String prompt, GenerationOptions options) {
        return text.generate(prompt, options);
    }

    /**
     * As {@link #generate(String, GenerationOptions)}, streaming the new text piece by piece to {@code onText}.
     *
     * @param prompt the text to continue or translate
     * @param options sampling, length and stop settings
     * @param onText receives each decoded piece as it is generated
     * @return the new text and its tokens (and the stop string that ended it, if any)
     */
    public GeneratedText generate(String prompt, GenerationOptions options, Consumer<String> onText) {
        return text.generate(prompt, options, onText);
    }

    /**
     * Generates for every prompt with the same options; for a GPT the prompts run as one left-padded batch, and each
     * result equals that prompt's alone.
     *
     * @param prompts the texts
     * @param options sampling, length and stop settings
     * @return one result per prompt, in order
     */
    public List<GeneratedText> generate(List<String> prompts, GenerationOptions options) {
        if (gpt == null) {
            List<GeneratedText> out = new ArrayList<>();
            for (String p : prompts) {
                out.add(text.generate(p, options));
            }
            return out;
        }
        List<int[]> ids = prompts.stream().map(tokenizer::encode).toList();
        List<StopStringStream> streams = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) {
            streams.add(new StopStringStream(tokenizer, options.stopStrings()));
        }
        List<int[]> tokens = new GptGenerator(gpt).generate(ids, Collections.nCopies(ids.size(), options),
                (row, token) -> {
                    if (options.stopTokens().contains(token)) {
                        return false;
                    }
                    StopStringStream stream = streams.get(row);
                    stream.push(token);
                    return !stream.stopped();
                });
        List<GeneratedText> out = new ArrayList<>();
        for (int i = 0; i < tokens.size(); i++) {
            StopStringStream stream = streams.get(i);
            stream.finish();
            out.add(new GeneratedText(stream.text(), tokens.get(i), stream.matchedStop()));
        }
        return out;
    }

    /**
     * Token-level generation: the new tokens for {@code prompt} (the target for a source); {@code onToken} sees each
     * one and may return false to stop.
     *
     * @param prompt the prompt's (or source's) token ids
     * @param options sampling, length and stop settings
     * @param onToken sees each new token; false stops
     * @return the new token ids
     */
    public int[] generateTokens(int[] prompt, GenerationOptions options, IntPredicate onToken) {
        return gpt != null ? new GptGenerator(gpt).generate(prompt, options, onToken)
                : seq2seq.generate(prompt, options, onToken);
    }

    /**
     * Token-level generation for several prompts (one batch for a GPT).
     *
     * @param prompts the prompts' token ids
     * @param options sampling, length and stop settings
     * @return the new token ids of each prompt, in order
     */
    public List<int[]> generateTokens(List<int[]> prompts, GenerationOptions options) {
        if (gpt != null) {
            return new GptGenerator(gpt).generate(prompts, Collections.nCopies(prompts.size(), options),
                    (row, token) -> true);
        }
        List<int[]> out = new ArrayList<>();
        for (int[] p : prompts) {
            out.add(seq2seq.generate(p, options));
        }
        return out;
    }

    /**
     * Beam search over token ids: up to {@code nBest} hypotheses, best first.
     *
     * @param prompt the prompt's (or source's) token ids
     * @param options the beam width, length penalty, length limit, n-best and end tokens
     * @return the hypotheses
     */
    public List<Hypothesis> beamSearch(int[] prompt, BeamSearchOptions options) {
        return gpt != null ? new GptGenerator(gpt).beamSearch(prompt, options) : seq2seq.beamSearch(prompt, options);
    }

    /**
     * Beam search over text: the decoded hypotheses, best first.
     *
     * @param prompt the text to continue or translate
     * @param options the beam width, length penalty, length limit, n-best and end tokens
     * @return the hypotheses as text
     */
    public List<GeneratedText> beamSearch(String prompt, BeamSearchOptions options) {
        List<GeneratedText> out = new ArrayList<>();
        for (Hypothesis h : beamSearch(tokenizer.encode(prompt), options)) {
            int[] t = h.tokens();
            if (t.length > 0 && options.eosTokens().contains(t[t.length - 1])) {
                t = java.util.Arrays.copyOf(t, t.length - 1);
            }
            out.add(new GeneratedText(tokenizer.decode(t), h.tokens(), null));
        }
        return out;
    }

    @Override
    public void close() {
        try {
            resources.close();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("closing the model of " + directory + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "LanguageModel[" + directory + ", " + config.modelType() + ", backend " + backend + ", device " + device
                + "]";
    }

    /** Names the backend, device, threads and seed before {@link #open()}. */
    public static final class Builder {
        private final Path directory;
        private String backend;
        private String device;
        private int threads;
        private long seed = 1337L;
        private Path adapter;
        private WeightPrecision weights = WeightPrecision.FLOAT32;

        Builder(Path directory) {
            this.directory = Objects.requireNonNull(directory, "directory");
        }

        /**
         * The backend by name ({@code cpu}, {@code tensorflow}, {@code onnx}); null: the selection rules pick.
         *
         * @param name the backend's name, or null
         * @return this builder
         */
        public Builder backend(String name) {
            this.backend = name;
            return this;
        }

        /**
         * The device ({@code cpu}, {@code gpu:0}, {@code cuda:0}); null: the backend's default.
         *
         * @param name the device, or null
         * @return this builder
         */
        public Builder device(String name) {
            this.device = name;
            return this;
        }

        /**
         * Worker threads; 0 (the default) means one per core.
         *
         * @param count 0 or more
         * @return this builder
         */
        public Builder threads(int count) {
            if (count < 0) {
                throw new IllegalArgumentException("threads must be >= 0 (0 = one per core), was " + count);
            }
            this.threads = count;
            return this;
        }

        /**
         * The engine's seed (dropout is off in inference; sampling takes its seed from the options).
         *
         * @param value the seed
         * @return this builder
         */
        public Builder seed(long value) {
            this.seed = value;
            return this;
        }

        /**
         * A LoRA adapter to apply: a PEFT adapter directory ({@code adapter_config.json} +
         * {@code adapter_model.safetensors}) trained on this model, merged into its weights when it opens
         * ({@code W + (alpha/r)·B·A}, PEFT's {@code merge_and_unload}), so generation runs at the base model's speed.
         * Only a model directory's weights can take one (not an exported graph); null: none.
         *
         * @param adapterDirectory the adapter's directory, or null
         * @return this builder
         */
        public Builder adapter(Path adapterDirectory) {
            this.adapter = adapterDirectory;
            return this;
        }

        /**
         * How the weight matrices are stored for inference: {@link WeightPrecision#FLOAT32} (the default) or
         * {@link WeightPrecision#BF16} (half the memory and faster batch-1 decoding on the cpu backend). A backend
         * that keeps float32 only, or an exported directory, refuses anything else when opened.
         *
         * @param precision the storage precision, not null
         * @return this builder
         */
        public Builder weights(WeightPrecision precision) {
            this.weights = Objects.requireNonNull(precision, "precision");
            return this;
        }

        /**
         * Reads the directory and opens it. A directory with {@code config.json} runs from its weights on a backend
         * that infers from weights; when the backend named (in code, or by the system property, environment variable
         * or {@code transformer4j.properties}) cannot, or the directory has no {@code config.json}, it is served by a
         * backend that serves exported graphs and recognises the directory's files.
         *
         * @return the open model; the caller closes it
         * @throws IOException              when a file cannot be read or is malformed (naming the file)
         * @throws IllegalArgumentException when the directory holds neither kind of model, or no backend on the
         *                                  classpath can run what it holds (saying what was found and what to do)
         */
        public LanguageModel open() throws IOException {
            return ModelOpener.open(directory, backend, device, threads, seed, adapter, weights);
        }
    }
}
