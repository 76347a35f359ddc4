package org.transformer4j.generate;

import java.util.Arrays;

/**
 * Checks shared by the generators and {@link DecodingSession} implementations on any backend: prompt validation
 * and cropping, row-selection shortcuts.
 */
public final class Sessions {
    private Sessions() {
    }

    /**
     * True when {@code rows} is {@code 0, 1, .., batch-1}: selecting them changes nothing.
     *
     * @param rows a row selection
     * @param batch the current batch size
     * @return whether it is the identity
     */
    public static boolean isIdentity(int[] rows, int batch) {
        if (rows.length != batch) {
            return false;
        }
        for (int i = 0; i < rows.length; i++) {
            if (rows[i] != i) {
                return false;
            }
        }
        return true;
    }

    /**
     * Returns {@code id} if it is a valid token id of a vocabulary of {@code vocab}; else fails naming {@code what}.
     *
     * @param id the id
     * @param vocab the vocabulary size
     * @param what the id's role, for the message
     * @return {@code id}
     */
    public static int checkId(int id, int vocab, String what) {
        if (id < 0 || id >= vocab) {
            throw new IllegalArgumentException("the " + what + " id " + id + " is outside the vocabulary [0, " + vocab + ")");
        }
        return id;
    }

    /**
     * Validates token ids (not empty, every id in the vocabulary) and fits them to the context: refused when
     * longer unless {@code crop}, in which case only the last {@code context} tokens are kept.
     *
     * @param what what the ids are, for messages ("the prompt", "prompt 2", "the source")
     * @param ids the token ids
     * @param vocab the vocabulary size
     * @param context the context length
     * @param crop keep the last {@code context} ids of a longer sequence instead of refusing it
     * @return the ids to run (a copy)
     * @throws IllegalArgumentException naming {@code what} and the offending position, length or id
     */
    public static int[] checkTokens(int[] ids, int vocab, int context, boolean crop, String what) {
        if (ids == null || ids.length == 0) {
            throw new IllegalArgumentException(what + " is empty: give at least one token (e.g. a newline or <bos>)");
        }
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= vocab) {
                throw new IllegalArgumentException(what + ": token " + ids[i] + " at position " + i
                        + " is outside the vocabulary [0, " + vocab + ")");
            }
        }
        if (ids.length > context) {
            if (!crop) {
                throw new IllegalArgumentException(what + " has " + ids.length + " tokens but the model's context is "
                        + context + "; shorten it or enable cropping (keeps the last " + context + " tokens)");
            }
            return Arrays.copyOfRange(ids, ids.length - context, ids.length);
        }
        return ids.clone();
    }
}
