package org.transformer4j.spark;

import java.io.Serial;
import java.io.Serializable;
import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;

/**
 * A record (such as {@code GptConfig} or {@code TrainingConfig}, which are not {@link Serializable}) in a form Spark
 * can ship to its executors: the values of its components (numbers, booleans, enums and nested records), rebuilt
 * through the canonical constructor, so its validation runs again on the executor.
 *
 * @param <R> the record type
 */
final class RecordForm<R extends Record> implements Serializable {
    @Serial
    private static final long serialVersionUID = 1L;

    private final Class<R> type;
    private final Object[] values;

    private RecordForm(Class<R> type, Object[] values) {
        this.type = type;
        this.values = values;
    }

    @SuppressWarnings("unchecked")
    static <R extends Record> RecordForm<R> of(R record) {
        Class<R> type = (Class<R>) record.getClass();
        RecordComponent[] components = type.getRecordComponents();
        Object[] values = new Object[components.length];
        for (int i = 0; i < components.length; i++) {
            try {
                Object v = components[i].getAccessor().invoke(record);
                values[i] = v instanceof Record nested ? of(nested) : v;
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot read " + type.getSimpleName() + "." + components[i].getName(), e);
            }
            if (values[i] != null && !(values[i] instanceof Serializable)) {
                throw new IllegalArgumentException(type.getSimpleName() + "." + components[i].getName() + " is a "
                        + values[i].getClass().getName() + ", which cannot be sent to Spark executors");
            }
        }
        return new RecordForm<>(type, values);
    }

    /** The same record with component {@code name} set to {@code value}. */
    RecordForm<R> with(String name, Object value) {
        RecordComponent[] components = type.getRecordComponents();
        for (int i = 0; i < components.length; i++) {
            if (components[i].getName().equals(name)) {
                Object[] copy = values.clone();
                copy[i] = value;
                return new RecordForm<>(type, copy);
            }
        }
        throw new IllegalArgumentException(type.getSimpleName() + " has no component " + name);
    }

    R get() {
        RecordComponent[] components = type.getRecordComponents();
        Class<?>[] types = new Class<?>[components.length];
        Object[] args = new Object[components.length];
        for (int i = 0; i < components.length; i++) {
            types[i] = components[i].getType();
            args[i] = values[i] instanceof RecordForm<?> nested ? nested.get() : values[i];
        }
        try {
            Constructor<R> c = type.getDeclaredConstructor(types);
            return c.newInstance(args);
        } catch (java.lang.reflect.InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException("cannot rebuild " + type.getSimpleName(), e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot rebuild " + type.getSimpleName() + " on the executor", e);
        }
    }
}
