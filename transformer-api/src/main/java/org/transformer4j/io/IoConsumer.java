package org.transformer4j.io;

import java.io.IOException;

/**
 * A consumer that may throw {@link IOException}: the body that writes a file's content for
 * {@link AtomicFiles#write(java.nio.file.Path, IoConsumer)}.
 */
@FunctionalInterface
public interface IoConsumer<T> {
    /** Consumes {@code value}, typically by writing bytes to it. */
    void accept(T value) throws IOException;
}
