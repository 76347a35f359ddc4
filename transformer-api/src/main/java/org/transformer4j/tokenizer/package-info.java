/**
 * Tokenizers: text to token ids and back, and their file format, tokenizer.json.
 *
 * <p>Two tokenizers, behind {@link org.transformer4j.tokenizer.Tokenizer}:
 * {@link org.transformer4j.tokenizer.CharTokenizer} (one id per code point, as nanoGPT's shakespeare_char) and
 * {@link org.transformer4j.tokenizer.ByteLevelBpeTokenizer} (byte-level BPE as GPT-2, lossless for every Java
 * string thanks to WTF-8). {@link org.transformer4j.tokenizer.Tokenizers} loads and saves them.
 *
 * <h2>tokenizer.json</h2>
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
 * A Hugging Face GPT-2 tokenizer.json has a different top level (no {@code "type"}, a ByteLevel pre-tokenizer
 * with a regex) and is not read as is.
 */
package org.transformer4j.tokenizer;
