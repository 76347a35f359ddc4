package org.transformer4j.tokenizer;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Objects;

/**
 * Loads and saves tokenizers as tokenizer.json (layout in the package documentation), choosing the
 * implementation from the file's {@code "type"}.
 */
public final class Tokenizers {
    private Tokenizers() {
    }

    /**
     * Reads a tokenizer.json file.
     *
     * @throws NoSuchFileException if the file does not exist (the message names it)
     * @throws IOException if it cannot be read
     * @throws TokenizerFormatException if it is not UTF-8 JSON of a known layout; the message names the file and field
     */
    public static Tokenizer load(Path tokenizerJson) throws IOException {
        Objects.requireNonNull(tokenizerJson, "tokenizerJson");
        if (!Files.exists(tokenizerJson)) {
            throw new NoSuchFileException(tokenizerJson.toString(), null,
                    "tokenizer file does not exist; save one with Tokenizers.save or check the path");
        }
        byte[] bytes = Files.readAllBytes(tokenizerJson);
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new TokenizerFormatException("tokenizer.json " + tokenizerJson + " is not UTF-8 text: " + e, e);
        }
        return fromJson(text, tokenizerJson.toString());
    }

    /** Reads tokenizer.json text; errors call its source {@code "<string>"}. */
    public static Tokenizer fromJson(String json) {
        return fromJson(json, "<string>");
    }

    /**
     * Reads tokenizer.json text.
     *
     * @param source what the text came from (a file name, a URL), for error messages
     * @throws TokenizerFormatException if the text is not JSON of a known layout; the message names source and field
     */
    public static Tokenizer fromJson(String json, String source) {
        Objects.requireNonNull(json, "json");
        TokenizerJson in = new TokenizerJson(source);
        ObjectNode root = in.parse(json);
        String type = in.requireString(root, "type", "type");
        in.checkVersion(root);
        return switch (type) {
            case TokenizerJson.TYPE_CHAR -> CharTokenizer.fromJson(root, in);
            case TokenizerJson.TYPE_BYTE_BPE -> ByteLevelBpeTokenizer.fromJson(root, in);
            default -> throw in.error("type", "unknown tokenizer type \"" + type + "\"; known types are \""
                    + TokenizerJson.TYPE_CHAR + "\" and \"" + TokenizerJson.TYPE_BYTE_BPE + "\"");
        };
    }

    /**
     * Writes {@code tokenizer} as tokenizer.json to {@code file}, atomically: the text goes to a temporary file in
     * the same directory, which then replaces {@code file} in one move, so readers see the old or the new file,
     * never a part.
     */
    public static void save(Tokenizer tokenizer, Path file) throws IOException {
        Objects.requireNonNull(tokenizer, "tokenizer");
        org.transformer4j.io.AtomicFiles.writeString(file, tokenizer.toJson());
    }
}
