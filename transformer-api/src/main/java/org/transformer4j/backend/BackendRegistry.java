package org.transformer4j.backend;

import java.util.List;
import java.util.Objects;
import java.util.ServiceLoader;
import java.util.function.UnaryOperator;
import org.transformer4j.backend.BackendDiscovery.Found;

/**
 * The backends found in one place, and the rules that pick one of them. {@link Backends} is the static
 * front door over the real sources (the {@link ServiceLoader}, system properties, the environment and the
 * classpath); this class takes them as arguments, so tests and embedding applications can supply their own.
 * Discovery runs once, when the registry is made; each selection reads the configuration afresh.
 *
 * <p>Discovery never fails because of one broken backend: a provider that cannot be instantiated, or whose
 * {@code name()}, {@code priority()}, {@code capabilities()} or {@code availability()} throws, is listed as
 * unavailable with the reason. Two different classes claiming the same name (case-insensitively) are a
 * configuration error, reported naming both classes.
 *
 * <p>Selection, first that is set wins (names are trimmed and case-insensitive; blank counts as unset):
 * <ol>
 *   <li>the name passed in code;</li>
 *   <li>the system property {@value #SYSTEM_PROPERTY};</li>
 *   <li>the environment variable {@value #ENVIRONMENT_VARIABLE};</li>
 *   <li>the key {@value #PROPERTIES_KEY} of a {@value #PROPERTIES_RESOURCE} resource on the classpath;</li>
 *   <li>else the available backend of highest priority that meets the requirement (ties broken by name).</li>
 * </ol>
 * A name that is unknown, unavailable or does not meet the requirement fails with
 * {@link BackendNotFoundException}; it does not fall back silently to another backend. When the default (5.)
 * passes over an unavailable backend of higher priority, one warning says so, with the reason and the fix
 * (logged once per JVM through {@link System.Logger} {@code org.transformer4j.backend}).
 */
public final class BackendRegistry {

    /** The system property naming the backend. */
    public static final String SYSTEM_PROPERTY = "transformer4j.backend";
    /** The environment variable naming the backend. */
    public static final String ENVIRONMENT_VARIABLE = "TRANSFORMER4J_BACKEND";
    /** The classpath resource that may name the backend. */
    public static final String PROPERTIES_RESOURCE = "transformer4j.properties";
    /** The key naming the backend in {@value #PROPERTIES_RESOURCE}. */
    public static final String PROPERTIES_KEY = "backend";

    private final List<Found> found;
    private final UnaryOperator<String> systemProperties;
    private final UnaryOperator<String> environment;
    private final ClassLoader resources;

    /**
     * A registry over explicit sources; discovers the backends now.
     *
     * @param candidates       the backends to choose from; a {@link ServiceLoader} is iterated provider by
     *                         provider so that one that fails to instantiate is listed, not fatal
     * @param systemProperties looks up a system property (e.g. {@code System::getProperty}); returns null when unset
     * @param environment      looks up an environment variable (e.g. {@code System::getenv}); returns null when unset
     * @param resources        where to look for {@value #PROPERTIES_RESOURCE}; null to not look
     * @throws IllegalStateException when two different classes claim the same backend name
     */
    public BackendRegistry(Iterable<? extends Backend> candidates, UnaryOperator<String> systemProperties,
            UnaryOperator<String> environment, ClassLoader resources) {
        Objects.requireNonNull(candidates, "candidates");
        this.systemProperties = Objects.requireNonNull(systemProperties, "systemProperties");
        this.environment = Objects.requireNonNull(environment, "environment");
        this.resources = resources;
        this.found = BackendDiscovery.discover(candidates);
    }

    /**
     * The registry over the real sources: {@code ServiceLoader.load(Backend.class, loader)}, the JVM's system
     * properties and environment, and {@value #PROPERTIES_RESOURCE} as seen by {@code loader}.
     *
     * @param loader where the backends and the properties resource are looked for
     * @return a registry that has discovered the backends {@code loader} sees
     */
    public static BackendRegistry fromClassLoader(ClassLoader loader) {
        return new BackendRegistry(ServiceLoader.load(Backend.class, loader), System::getProperty, System::getenv,
                loader);
    }

    /**
     * Every backend found, highest priority first (ties by name), with its availability and reason.
     *
     * @return the listing, including providers that could not be instantiated
     */
    public List<BackendInfo> list() {
        return found.stream().map(Found::info).toList();
    }

    /**
     * Selects a backend that can run, following the precedence order.
     *
     * @param name the name given in code, or null/blank to consult the other sources
     * @return the backend and why it was chosen
     * @throws BackendNotFoundException when the named backend is unknown or unavailable, or none is available
     */
    public BackendChoice select(String name) {
        return select(name, BackendRequirement.ANY);
    }

    /**
     * Selects a backend following the precedence order, or, when nothing names one, the best available
     * backend meeting {@code requirement}.
     *
     * @param name        the name given in code, or null/blank to consult the other sources
     * @param requirement what the backend must be able to do
     * @return the backend and why it was chosen
     * @throws BackendNotFoundException when the named backend is unknown, unavailable or does not meet the
     *                                  requirement, or when no available backend meets it
     */
    public BackendChoice select(String name, BackendRequirement requirement) {
        Objects.requireNonNull(requirement, "requirement");
        return BackendSelection.select(found,
                BackendRequest.resolve(name, systemProperties, environment, resources), requirement);
    }

    /**
     * Selects a backend as {@link #select(String, BackendRequirement)} does and opens an engine on it.
     *
     * @param name        the name given in code, or null/blank to consult the other sources
     * @param requirement what the backend must be able to do
     * @param options     threads, device and seed for the engine
     * @return an open engine, of {@code requirement}'s {@link BackendRequirement#engineType() engine type}
     */
    public Engine open(String name, BackendRequirement requirement, EngineOptions options) {
        Objects.requireNonNull(options, "options");
        return open(select(name, requirement), requirement.engineType(), options);
    }

    /**
     * Opens an engine on {@code choice} as {@code type}; fails, closing the engine, when the backend declared a
     * capability its engine does not implement.
     */
    static <T extends Engine> T open(BackendChoice choice, Class<T> type, EngineOptions options) {
        Engine engine = choice.backend().open(options);
        if (!type.isInstance(engine)) {
            engine.close();
            throw new IllegalStateException("backend '" + choice.name() + "' (" + choice.info().implementation()
                    + ") declares " + choice.info().capabilities() + " but its engine " + engine.getClass().getName()
                    + " is not a " + type.getSimpleName() + "; the backend is broken: report it to its authors");
        }
        return type.cast(engine);
    }

    /**
     * Opens an engine that infers from weights: the named or configured backend, else the best one that can.
     *
     * @param name    the name given in code, or null/blank to consult the other sources
     * @param options threads, device and seed for the engine
     * @return an open engine; the caller closes it
     */
    public InferenceEngine openInference(String name, EngineOptions options) {
        return open(select(name, BackendRequirement.INFERENCE), InferenceEngine.class, options);
    }

    /**
     * Opens an engine that trains: the named or configured backend, else the best one that can.
     *
     * @param name    the name given in code, or null/blank to consult the other sources
     * @param options threads, device and seed for the engine
     * @return an open engine; the caller closes it
     */
    public TrainingEngine openTraining(String name, EngineOptions options) {
        return open(select(name, BackendRequirement.TRAINING), TrainingEngine.class, options);
    }

    /**
     * Opens an engine that serves exported graphs: the named or configured backend, else the best one that can.
     *
     * @param name    the name given in code, or null/blank to consult the other sources
     * @param options threads, device and seed for the engine
     * @return an open engine; the caller closes it
     */
    public ServingEngine openServing(String name, EngineOptions options) {
        return open(select(name, BackendRequirement.SERVING), ServingEngine.class, options);
    }
}
