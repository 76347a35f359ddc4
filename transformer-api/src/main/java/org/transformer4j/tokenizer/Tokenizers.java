package org.transformer4j.tokenizer;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Loads and saves tokenizers: tokenizer.json in this project's layout (its {@code "type"} picks the
 * implementation) or in Hugging Face's (byte-level BPE: GPT-2, Llama 3, Qwen2, SmolLM2, ...), and GPT-2's
 * vocab.json + merges.txt. Layouts are
 * described in the package documentation.
 */
public final class Tokenizers {
    /** The tokenizer file of a model directory, in either layout. */
    public static final String TOKENIZER_JSON = "tokenizer.json";
    /** GPT-2's vocabulary file, read with {@link #MERGES_TXT} when a directory has no tokenizer.json. */
    public static final String VOCAB_JSON = "vocab.json";
    /** GPT-2's merges file, read with {@link #VOCAB_JSON}. */
    public static final String MERGES_TXT = "merges.txt";

    private Tokenizers() {
    }

    /**
     * Reads a tokenizer.json file, of this project's layout or Hugging Face's (see the package documentation for
     * the components supported).
     *
     * @param tokenizerJson the file
     * @return the tokenizer
     * @throws NoSuchFileException if the file does not exist (the message names it)
     * @throws IOException if it cannot be read
     * @throws TokenizerFormatException if it is not UTF-8 JSON of a known layout, or uses a component that is not
     *     supported; the message names the file and field
     */
    public static Tokenizer load(Path tokenizerJson) throws IOException {
        Objects.requireNonNull(tokenizerJson, "tokenizerJson");
        return fromJson(readUtf8(tokenizerJson, TOKENIZER_JSON), tokenizerJson.toString());
    }

    /**
     * Reads GPT-2's vocab.json and merges.txt as Hugging Face does (see {@link ByteLevelBpeTokenizer}); the
     * vocabulary's {@code <|endoftext|>}, if present, is a special token.
     *
     * @param vocabJson GPT-2's vocab.json
     * @param mergesTxt GPT-2's merges.txt
     * @return GPT-2's byte-level BPE tokenizer
     * @throws NoSuchFileException if a file does not exist (the message names it)
     * @throws TokenizerFormatException if a file is malformed or the two disagree (a merges line that is not two
     *     tokens, a merge naming a token that is not in the vocabulary, ...); the message names the file and line or
     *     token
     */
    public static Tokenizer loadVocabAndMerges(Path vocabJson, Path mergesTxt) throws IOException {
        Objects.requireNonNull(vocabJson, "vocabJson");
        Objects.requireNonNull(mergesTxt, "mergesTxt");
        return VocabMergesFiles.read(vocabJson, mergesTxt);
    }

    /**
     * Reads the tokenizer of a model directory: {@value #TOKENIZER_JSON} if it is there, else {@value #VOCAB_JSON}
     * + {@value #MERGES_TXT}.
     *
     * @param dir the model directory
     * @return the tokenizer
     * @throws NoSuchFileException if the directory has neither (or only one of the pair); the message says which
     *     files were looked for
     * @throws TokenizerFormatException as {@link #load} and {@link #loadVocabAndMerges}
     */
    public static Tokenizer fromDirectory(Path dir) throws IOException {
        Objects.requireNonNull(dir, "dir");
        if (!Files.isDirectory(dir)) {
            throw new NoSuchFileException(dir.toString(), null, "not a directory; a model directory holds "
                    + TOKENIZER_JSON + " or " + VOCAB_JSON + " + " + MERGES_TXT);
        }
        Path json = dir.resolve(TOKENIZER_JSON);
        if (Files.exists(json)) {
            return load(json);
        }
        Path vocab = dir.resolve(VOCAB_JSON);
        Path merges = dir.resolve(MERGES_TXT);
        boolean hasVocab = Files.exists(vocab);
        boolean hasMerges = Files.exists(merges);
        if (hasVocab && hasMerges) {
            return loadVocabAndMerges(vocab, merges);
        }
        String found = hasVocab ? "; " + VOCAB_JSON + " is there but " + MERGES_TXT + " is missing"
                : hasMerges ? "; " + MERGES_TXT + " is there but " + VOCAB_JSON + " is missing" : "";
        throw new NoSuchFileException(dir.toString(), null, "no tokenizer in this directory: expected "
                + TOKENIZER_JSON + ", or " + VOCAB_JSON + " + " + MERGES_TXT + found);
    }

    /**
     * Reads tokenizer.json text; errors call its source {@code "<string>"}.
     *
     * @param json the text
     * @return the tokenizer
     */
    public static Tokenizer fromJson(String json) {
        return fromJson(json, "<string>");
    }

    /**
     * Reads tokenizer.json text: this project's layout when it has a top-level {@code "type"}, else Hugging Face's.
     *
     * @param source what the text came from (a file name, a URL), for error messages
     * @param json the text
     * @return the tokenizer
     * @throws TokenizerFormatException if the text is not JSON of a known layout; the message names source and field
     */
    public static Tokenizer fromJson(String json, String source) {
        Objects.requireNonNull(json, "json");
        TokenizerJson in = new TokenizerJson(source);
        ObjectNode root = in.parse(json);
        if (!root.has("type") && root.has("model")) {
            return ByteLevelBpeJson.readHuggingFace(root, in);
        }
        String type = in.requireString(root, "type", "type");
        in.checkVersion(root);
        return switch (type) {
            case TokenizerJson.TYPE_CHAR -> CharTokenizer.fromJson(root, in);
            case TokenizerJson.TYPE_BYTE_BPE -> ByteLevelBpeJson.readOwn(root, in);
            default -> throw in.error("type", "unknown tokenizer type \"" + type + "\"; known types are \""
                    + TokenizerJson.TYPE_CHAR + "\" and \"" + TokenizerJson.TYPE_BYTE_BPE + "\" (or Hugging Face's"
                    + " layout, which has no top-level \"type\")");
        };
    }

    /**
     * Writes {@code tokenizer} as tokenizer.json to {@code file} (see {@link Tokenizer#toJson()} for the layout),
     * atomically: the text goes to a temporary file in the same directory, which then replaces {@code file} in one
     * move, so readers see the old or the new file, never a part.
     *
     * @param tokenizer the tokenizer
     * @param file the file to write
     * @throws IOException when the file cannot be written
     */
    public static void save(Tokenizer tokenizer, Path file) throws IOException {
        Objects.requireNonNull(tokenizer, "tokenizer");
        org.transformer4j.io.AtomicFiles.writeString(file, tokenizer.toJson());
    }

    /** The text of a UTF-8 file; {@code kind} (such as "vocab.json") names it in errors. */
    static String readUtf8(Path file, String kind) throws IOException {
        if (!Files.exists(file)) {
            throw new NoSuchFileException(file.toString(), null, kind + " file does not exist; check the path");
        }
        byte[] bytes = Files.readAllBytes(file);
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new TokenizerFormatException(kind + " " + file + " is not UTF-8 text: " + e, e);
        }
    }
}
