package org.transformer4j.io;

import java.io.IOException;

/**
 * A consumer that may throw {@link IOException}: the body that writes a file's content for
 * {@link AtomicFiles#write(java.nio.file.Path, IoConsumer)}.
 *
 * @param <T> what is consumed, e.g. an {@link java.io.OutputStream}
 */
@FunctionalInterface
public interface IoConsumer<T> {
    /**
     * Consumes {@code value}, typically by writing bytes to it.
     *
     * @param value what to consume
     * @throws IOException when writing fails
     */
    void accept(T value) throws IOException;
}
