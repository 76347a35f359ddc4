package org.transformer4j.io;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A checkpoint file that is corrupt, truncated or hostile: its layout breaks the format's rules.
 * The message names the file and the exact problem, so the user knows which file to re-export or re-download.
 */
public class CheckpointFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    private final transient Path file;
    /** What is wrong, without the file name. */
    private final String problem;

    /**
     * A format error in {@code file}; {@code problem} says what is wrong (without the file name).
     *
     * @param file the file that failed to load
     * @param problem what is wrong, e.g. {@code header length 9999999999 exceeds the file size}
     */
    public CheckpointFormatException(Path file, String problem) {
        super(file + ": " + problem);
        this.file = file;
        this.problem = problem;
    }

    /**
     * The same, caused by a lower-level failure (a JSON parser error, for instance).
     *
     * @param file the file that failed to load
     * @param problem what is wrong
     * @param cause the lower-level failure
     */
    public CheckpointFormatException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
        this.file = file;
        this.problem = problem;
    }

    /**
     * The file that failed to load.
     *
     * @return the file's path
     */
    public Path file() {
        return file;
    }

    /**
     * What is wrong with it, without the file name.
     *
     * @return the problem
     */
    public String problem() {
        return problem;
    }
}
