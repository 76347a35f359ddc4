/**
 * Tokenizers: text to token ids and back, and their files: tokenizer.json (this project's layout and Hugging
 * Face's) and GPT-2's vocab.json + merges.txt.
 *
 * <p>Two tokenizers, behind {@link org.transformer4j.tokenizer.Tokenizer}:
 * {@link org.transformer4j.tokenizer.CharTokenizer} (one id per code point, as nanoGPT's shakespeare_char) and
 * {@link org.transformer4j.tokenizer.ByteLevelBpeTokenizer} (byte-level BPE: this project's own, lossless for
 * every Java string thanks to WTF-8, or GPT-2's exactly as Hugging Face's tokenizers compute it).
 * {@link org.transformer4j.tokenizer.Tokenizers} loads and saves them, and finds the tokenizer of a model
 * directory ({@link org.transformer4j.tokenizer.Tokenizers#fromDirectory}).
 *
 * <h2>Hugging Face's tokenizer.json and vocab.json + merges.txt</h2>
 *
 * A tokenizer.json without a top-level {@code "type"} is read as Hugging Face's layout, with the pipeline of
 * its tokenizers library (GPT-2, Llama 3, Qwen2, SmolLM2, ... files). Supported:
 * <ul>
 *   <li>model {@code BPE}, byte-level: every vocabulary token written in GPT-2's byte stand-ins, all 256 bytes
 *       present; {@code merges} as {@code "A B"} strings or {@code ["A", "B"]} pairs; {@code ignore_merges} (a
 *       chunk that is a vocabulary token is taken whole, as Llama 3 does); {@code byte_fallback} and
 *       {@code fuse_unk} accepted (they never act: a byte-level vocabulary lacks no symbol); {@code dropout}
 *       null, no subword prefix or suffix;</li>
 *   <li>{@code normalizer}: null, {@code NFC}, {@code NFD}, {@code NFKC}, {@code NFKD}, {@code Sequence};</li>
 *   <li>{@code pre_tokenizer}: {@code ByteLevel} ({@code add_prefix_space}, put before each split;
 *       {@code use_regex}: GPT-2's regular expression; {@code trim_offsets} only moves offsets), {@code Split}
 *       ({@code pattern} {@code {"Regex": ...}}, an Oniguruma pattern compiled by {@link java.util.regex} with
 *       Unicode character classes, or {@code {"String": ...}}; {@code behavior} {@code Removed},
 *       {@code Isolated}, {@code MergedWithPrevious}, {@code MergedWithNext}, {@code Contiguous};
 *       {@code invert}), {@code Digits} ({@code individual_digits}), and {@code Sequence} of them, ending with
 *       the one {@code ByteLevel} (a BPE over characters, SentencePiece-style as Llama 2's, is not supported);</li>
 *   <li>{@code post_processor}: null, {@code ByteLevel} (offsets only), {@code TemplateProcessing} (its
 *       {@code single} template: the special tokens before and after the sequence, such as Llama 3's BOS, added
 *       by {@link org.transformer4j.tokenizer.Tokenizer#addSpecialTokens}), {@code Sequence} of them;</li>
 *   <li>{@code decoder}: {@code ByteLevel} (or a {@code Sequence} of it alone);</li>
 *   <li>{@code added_tokens} with {@code special} true or false ({@code single_word}, {@code lstrip},
 *       {@code rstrip} false); they are found before pre-tokenization, as there: those with
 *       {@code "normalized": false} in the raw text, the others in the normalized text; truncation and padding
 *       null.</li>
 * </ul>
 * Anything else is refused with an error naming the file, the JSON path and the type. An added token may have
 * the id of the vocabulary token with the same text (GPT-2's {@code <|endoftext|>} = 50256). Such a tokenizer is
 * written back in the same layout, its components as they were read, which Hugging Face's libraries read to the
 * same ids. vocab.json + merges.txt give GPT-2's configuration of the same pipeline (ByteLevel with its regular
 * expression, no prefix space, {@code <|endoftext|>} special when present); a merges line that is not two tokens,
 * or a merge whose tokens are not in vocab.json, is an error naming the file and line.
 *
 * <h2>This project's tokenizer.json</h2>
 *
 * A UTF-8 JSON object that follows the Hugging Face tokenizer.json layout where that is cheap. Lone surrogates
 * in strings are written as <code>&#92;uXXXX</code> escapes. Duplicate keys anywhere are an error.
 *
 * <pre>{@code
 * {
 *   "version": "1.0",                         // the only version known
 *   "type": "byte_bpe",                       // "char" or "byte_bpe": picks the implementation
 *   "added_tokens": [                         // special tokens, may be empty
 *     {"id": 1000, "content": "<eos>", "special": true}
 *   ],
 *   "pre_tokenizer": {"type": "transformer4j_simple_split"},   // byte_bpe only
 *   "model": {
 *     "type": "BPE",                          // "BPE" for byte_bpe, "Char" for char
 *     "vocab": {"!": 33, "Ġ": 32, "Ġt": 256, ...},   // token -> id
 *     "merges": ["Ġ t", "h e", ...]           // byte_bpe only: "LEFT RIGHT" (or ["LEFT", "RIGHT"]), rank order
 *   }
 * }
 * }</pre>
 *
 * <ul>
 *   <li><b>char</b>: each {@code model.vocab} key is exactly one code point (a lone surrogate counts as one).</li>
 *   <li><b>byte_bpe</b>: each {@code model.vocab} key is a token's bytes written with GPT-2's byte stand-ins
 *       ({@code bytes_to_unicode}: printable Latin-1 bytes stand for themselves, the other 68 bytes map to
 *       {@code U+0100..U+0143}, so a space is {@code 'Ġ'} and a newline {@code 'Ċ'}). All 256 single bytes must
 *       be present. Merge {@code "A B"} of rank r joins tokens A and B into token {@code A+B}; all three must be in
 *       the vocabulary, and a pair may appear once. A merge's rank is its index in the list: lower ranks apply
 *       first. Text is converted to bytes with WTF-8 (UTF-8 that also encodes lone surrogates) and cut into
 *       chunks before merging: runs of letters (with combining marks), of numbers, of whitespace, and of anything
 *       else, where a single space before a non-whitespace run joins that run. Merges never cross chunks.</li>
 *   <li>The ids of {@code model.vocab} and {@code added_tokens} together must be distinct and exactly
 *       {@code 0..N-1}; an added token's content must be non-empty, unique, and (char) not a vocabulary character.</li>
 * </ul>
 *
 * Loading checks all of the above and fails with a
 * {@link org.transformer4j.tokenizer.TokenizerFormatException} naming the file and the field.
 */
package org.transformer4j.tokenizer;
