package org.transformer4j.backend;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.function.UnaryOperator;

/**
 * The backends found in one place, and the rules that pick one of them. {@link Backends} is the static
 * front door over the real sources (the {@link ServiceLoader}, system properties, the environment and the
 * classpath); this class takes them as arguments, so tests and embedding applications can supply their own.
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
 * {@link BackendNotFoundException}; it does not fall back silently to another backend.
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

    /** Consecutive discovery errors after which the service iterator is assumed unable to recover. */
    private static final int MAX_CONSECUTIVE_ERRORS = 64;

    private static final Comparator<Entry> BY_PRIORITY =
            Comparator.comparingInt((Entry e) -> e.info.priority()).reversed()
                    .thenComparing(e -> e.info.name());

    private record Entry(BackendInfo info, Backend backend) {
    }

    private record Request(String name, String source) {
    }

    private final List<Entry> entries;
    private final UnaryOperator<String> systemProperties;
    private final UnaryOperator<String> environment;
    private final ClassLoader resources;

    /**
     * A registry over explicit sources.
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
        List<Entry> found = new ArrayList<>();
        if (candidates instanceof ServiceLoader<?> loader) {
            discoverProviders(loader, found);
        } else {
            discoverPlain(candidates, found);
        }
        rejectDuplicates(found);
        found.sort(BY_PRIORITY);
        this.entries = List.copyOf(found);
    }

    /**
     * The registry over the real sources: {@code ServiceLoader.load(Backend.class, loader)}, the JVM's system
     * properties and environment, and {@value #PROPERTIES_RESOURCE} as seen by {@code loader}.
     */
    public static BackendRegistry fromClassLoader(ClassLoader loader) {
        return new BackendRegistry(ServiceLoader.load(Backend.class, loader), System::getProperty, System::getenv,
                loader);
    }

    /** Every backend found, highest priority first (ties by name), with its availability and reason. */
    public List<BackendInfo> list() {
        return entries.stream().map(Entry::info).toList();
    }

    /** Selects a backend that can run, following the precedence order; {@code name} may be null. */
    public BackendChoice select(String name) {
        return select(name, BackendRequirement.ANY);
    }

    /**
     * Selects a backend following the precedence order, or, when nothing names one, the best available
     * backend meeting {@code requirement}.
     *
     * @param name        the name given in code, or null/blank to consult the other sources
     * @param requirement what the backend must be able to do
     * @throws BackendNotFoundException when the named backend is unknown, unavailable or does not meet the
     *                                  requirement, or when no available backend meets it
     */
    public BackendChoice select(String name, BackendRequirement requirement) {
        Objects.requireNonNull(requirement, "requirement");
        Request request = resolveRequest(name);
        if (request != null) {
            return selectNamed(request, requirement);
        }
        for (Entry e : entries) {
            if (e.backend != null && e.info.available() && requirement.isMetBy(e.info.capabilities())) {
                return new BackendChoice(e.backend, e.info, "highest-priority available backend"
                        + (requirement == BackendRequirement.ANY ? "" : " that can " + requirement.verb())
                        + " (no backend named by code, system property " + SYSTEM_PROPERTY
                        + ", environment variable " + ENVIRONMENT_VARIABLE + " or " + PROPERTIES_RESOURCE + ")");
            }
        }
        String what = requirement == BackendRequirement.ANY ? "No available backend"
                : "No available backend that can " + requirement.verb();
        throw new BackendNotFoundException(what + " was found, and none was named (code, system property "
                + SYSTEM_PROPERTY + ", environment variable " + ENVIRONMENT_VARIABLE + ", " + PROPERTIES_RESOURCE
                + ").\n" + listing() + "\nTo fix: add a backend module that can " + requirement.verb()
                + " here to the classpath (e.g. transformer4j backend-cpu, which runs on any JVM 25), "
                + "or fix the reason given for one listed above.", list());
    }

    /** Selects a backend as {@link #select(String, BackendRequirement)} does and opens an engine on it. */
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

    /** Opens an engine that infers from weights: the named or configured backend, else the best one that can. */
    public InferenceEngine openInference(String name, EngineOptions options) {
        return open(select(name, BackendRequirement.INFERENCE), InferenceEngine.class, options);
    }

    /** Opens an engine that trains: the named or configured backend, else the best one that can. */
    public TrainingEngine openTraining(String name, EngineOptions options) {
        return open(select(name, BackendRequirement.TRAINING), TrainingEngine.class, options);
    }

    /** Opens an engine that serves exported graphs: the named or configured backend, else the best one that can. */
    public ServingEngine openServing(String name, EngineOptions options) {
        return open(select(name, BackendRequirement.SERVING), ServingEngine.class, options);
    }

    private BackendChoice selectNamed(Request request, BackendRequirement requirement) {
        String key = request.name.toLowerCase(Locale.ROOT);
        Entry match = null;
        for (Entry e : entries) {
            if (e.info.name().equals(key)) {
                match = e;
                break;
            }
        }
        if (match == null) {
            throw new BackendNotFoundException("No backend named '" + key + "' was found (from " + request.source
                    + ").\n" + listing() + "\nTo fix: pick one of the names listed above, or add the module "
                    + "that provides '" + key + "' to the classpath.",
                    list());
        }
        if (match.backend == null || !match.info.available()) {
            throw new BackendNotFoundException("Backend '" + key + "' (from " + request.source
                    + ") is not available: " + match.info.availability().reason() + "\n" + listing()
                    + "\nTo fix: fix the reason above, or pick another backend listed as available.", list());
        }
        if (!requirement.isMetBy(match.info.capabilities())) {
            throw new BackendNotFoundException("Backend '" + key + "' (from " + request.source + ") cannot "
                    + requirement.verb() + " (it " + match.info.capabilities() + ").\n" + listing()
                    + "\nTo fix: pick a backend listed above that can " + requirement.verb()
                    + ", or name none to get the best one that can.", list());
        }
        return new BackendChoice(match.backend, match.info, request.source);
    }

    private Request resolveRequest(String explicit) {
        if (!isBlank(explicit)) {
            return new Request(explicit.trim(), "the name passed in code: \"" + explicit + "\"");
        }
        String prop = systemProperties.apply(SYSTEM_PROPERTY);
        if (!isBlank(prop)) {
            return new Request(prop.trim(), "system property " + SYSTEM_PROPERTY + "=" + prop);
        }
        String env = environment.apply(ENVIRONMENT_VARIABLE);
        if (!isBlank(env)) {
            return new Request(env.trim(), "environment variable " + ENVIRONMENT_VARIABLE + "=" + env);
        }
        if (resources != null) {
            URL url = resources.getResource(PROPERTIES_RESOURCE);
            if (url != null) {
                Properties p = new Properties();
                try (InputStream in = url.openStream()) {
                    p.load(in);
                } catch (IOException | IllegalArgumentException ex) {
                    throw new UncheckedIOException(new IOException("Could not read " + url + " to find the '"
                            + PROPERTIES_KEY + "' key naming the backend: " + ex.getMessage()
                            + "; fix the file (Java properties format) or remove it", ex));
                }
                String fromFile = p.getProperty(PROPERTIES_KEY);
                if (!isBlank(fromFile)) {
                    return new Request(fromFile.trim(), PROPERTIES_RESOURCE + " (" + url + ") " + PROPERTIES_KEY
                            + "=" + fromFile);
                }
            }
        }
        return null;
    }

    /** Every backend found, one per line, for error messages. */
    private String listing() {
        if (entries.isEmpty()) {
            return "Backends found: none (no META-INF/services/" + Backend.class.getName()
                    + " entry on the classpath).";
        }
        StringBuilder sb = new StringBuilder("Backends found (" + entries.size() + "):");
        for (Entry e : entries) {
            sb.append("\n  - ").append(e.info.describe());
        }
        return sb.toString();
    }

    private static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }

    private static void discoverProviders(ServiceLoader<?> loader, List<Entry> out) {
        Iterator<? extends ServiceLoader.Provider<?>> it = loader.stream().iterator();
        int consecutiveErrors = 0;
        while (true) {
            ServiceLoader.Provider<?> provider;
            try {
                if (!it.hasNext()) {
                    break;
                }
                provider = it.next();
                consecutiveErrors = 0;
            } catch (ServiceConfigurationError | LinkageError ex) {
                // The services file names a class that does not load or is not a Backend: list it, go on.
                out.add(broken(implementationFromError(ex), "could not be loaded: " + describe(ex)));
                if (++consecutiveErrors >= MAX_CONSECUTIVE_ERRORS) {
                    break;
                }
                continue;
            }
            String className = provider.type().getName();
            Object instance;
            try {
                instance = provider.get();
            } catch (ServiceConfigurationError | RuntimeException | LinkageError ex) {
                out.add(broken(className, "could not be instantiated: " + describe(ex)));
                continue;
            }
            if (instance instanceof Backend b) {
                out.add(probe(b));
            } else {
                out.add(broken(className, "is not a " + Backend.class.getName()));
            }
        }
    }

    private static void discoverPlain(Iterable<? extends Backend> candidates, List<Entry> out) {
        Iterator<? extends Backend> it = candidates.iterator();
        int consecutiveErrors = 0;
        while (true) {
            Backend b;
            try {
                if (!it.hasNext()) {
                    break;
                }
                b = it.next();
                consecutiveErrors = 0;
            } catch (ServiceConfigurationError | LinkageError ex) {
                out.add(broken(implementationFromError(ex), "could not be loaded: " + describe(ex)));
                if (++consecutiveErrors >= MAX_CONSECUTIVE_ERRORS) {
                    break;
                }
                continue;
            }
            if (b != null) {
                out.add(probe(b));
            }
        }
    }

    /** Asks a backend for its name, priority, capabilities and availability, never letting it throw. */
    private static Entry probe(Backend b) {
        String className = b.getClass().getName();
        String name;
        int priority;
        try {
            name = b.name();
            priority = b.priority();
        } catch (RuntimeException | LinkageError ex) {
            return broken(className, "name() or priority() threw " + describe(ex));
        }
        if (isBlank(name)) {
            return broken(className, "name() returned a blank name");
        }
        name = name.trim().toLowerCase(Locale.ROOT);
        Capabilities caps;
        try {
            caps = b.capabilities();
        } catch (RuntimeException | LinkageError ex) {
            return new Entry(new BackendInfo(name, priority, null,
                    Availability.no("capabilities() threw " + describe(ex)), className), b);
        }
        Availability availability;
        try {
            availability = b.availability();
            if (availability == null) {
                availability = Availability.no("availability() returned null");
            }
        } catch (RuntimeException | LinkageError ex) {
            availability = Availability.no("availability() threw " + describe(ex));
        }
        return new Entry(new BackendInfo(name, priority, caps, availability, className), b);
    }

    private static Entry broken(String className, String reason) {
        return new Entry(new BackendInfo(className, Integer.MIN_VALUE, null, Availability.no(reason), className),
                null);
    }

    private static String implementationFromError(Throwable ex) {
        // ServiceLoader's messages read "<service>: Provider <class> not found" / "... could not be instantiated".
        String msg = String.valueOf(ex.getMessage());
        int i = msg.indexOf("Provider ");
        if (i >= 0) {
            String rest = msg.substring(i + "Provider ".length());
            int end = rest.indexOf(' ');
            return end > 0 ? rest.substring(0, end) : rest;
        }
        return "unknown provider";
    }

    private static String describe(Throwable ex) {
        StringBuilder sb = new StringBuilder(ex.getClass().getSimpleName() + ": " + ex.getMessage());
        Throwable cause = ex.getCause();
        int depth = 0;
        while (cause != null && depth++ < 5) {
            if (cause instanceof java.lang.reflect.InvocationTargetException ite && ite.getCause() != null) {
                cause = ite.getCause();
                continue;
            }
            sb.append(" <- ").append(cause.getClass().getSimpleName()).append(": ").append(cause.getMessage());
            cause = cause.getCause();
        }
        return sb.toString();
    }

    private static void rejectDuplicates(List<Entry> found) {
        Map<String, Entry> byName = new HashMap<>();
        for (Entry e : found) {
            Entry previous = byName.putIfAbsent(e.info.name(), e);
            if (previous != null) {
                throw new IllegalStateException("Two backends are named '" + e.info.name() + "': "
                        + previous.info.implementation() + " and " + e.info.implementation()
                        + ". Backend names must be unique: remove one of the two modules from the classpath.");
            }
        }
    }
}
