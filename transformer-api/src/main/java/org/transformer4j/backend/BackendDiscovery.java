package org.transformer4j.backend;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Finds the backends once: iterates the candidates (a {@link ServiceLoader} provider by provider, or any iterable),
 * asks each for its name, priority, capabilities and availability, and returns them highest priority first (ties by
 * name). One broken backend never fails discovery: a provider that cannot be loaded or instantiated, or whose methods
 * throw, is listed as unavailable with the reason. Two different classes claiming one name (case-insensitively) are
 * a configuration error, reported naming both classes.
 */
final class BackendDiscovery {

    /** One backend found: its listing, and the instance (null for a provider that could not be instantiated). */
    record Found(BackendInfo info, Backend backend) {
    }

    /** Consecutive discovery errors after which the service iterator is assumed unable to recover. */
    private static final int MAX_CONSECUTIVE_ERRORS = 64;

    private static final Comparator<Found> BY_PRIORITY =
            Comparator.comparingInt((Found f) -> f.info.priority()).reversed()
                    .thenComparing(f -> f.info.name());

    /** A candidate before it is instantiated: the class it names, and how to get the instance. */
    private record Candidate(String className, Supplier<?> instance) {
    }

    private BackendDiscovery() {
    }

    /**
     * Discovers the backends among {@code candidates}.
     *
     * @throws IllegalStateException when two different classes claim the same backend name
     */
    static List<Found> discover(Iterable<? extends Backend> candidates) {
        Iterator<Candidate> it = candidates instanceof ServiceLoader<?> loader
                ? candidates(loader.stream().iterator(), p -> new Candidate(p.type().getName(), p::get))
                : candidates(candidates.iterator(),
                        b -> new Candidate(b == null ? "null" : b.getClass().getName(), () -> b));
        List<Found> found = new ArrayList<>();
        int consecutiveErrors = 0;
        while (true) {
            Candidate c;
            try {
                if (!it.hasNext()) {
                    break;
                }
                c = it.next();
                consecutiveErrors = 0;
            } catch (ServiceConfigurationError | LinkageError ex) {
                // The services file names a class that does not load or is not a Backend: list it, go on.
                found.add(broken(implementationFromError(ex), "could not be loaded: " + describe(ex)));
                if (++consecutiveErrors >= MAX_CONSECUTIVE_ERRORS) {
                    break;
                }
                continue;
            }
            Object instance;
            try {
                instance = c.instance.get();
            } catch (ServiceConfigurationError | RuntimeException | LinkageError ex) {
                found.add(broken(c.className, "could not be instantiated: " + describe(ex)));
                continue;
            }
            if (instance instanceof Backend b) {
                found.add(probe(b));
            } else if (instance != null) {
                found.add(broken(c.className, "is not a " + Backend.class.getName()));
            }
        }
        rejectDuplicates(found);
        found.sort(BY_PRIORITY);
        return List.copyOf(found);
    }

    /**
     * The elements of {@code source} as candidates. Not a stream's {@code map}: a stream pipeline cannot go on after
     * the {@link ServiceConfigurationError} of one bad provider, the service loader's own iterator can.
     */
    private static <T> Iterator<Candidate> candidates(Iterator<T> source, Function<T, Candidate> asCandidate) {
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return source.hasNext();
            }

            @Override
            public Candidate next() {
                return asCandidate.apply(source.next());
            }
        };
    }

    /** Asks a backend for its name, priority, capabilities and availability, never letting it throw. */
    private static Found probe(Backend b) {
        String className = b.getClass().getName();
        String name;
        int priority;
        try {
            name = b.name();
            priority = b.priority();
        } catch (RuntimeException | LinkageError ex) {
            return broken(className, "name() or priority() threw " + describe(ex));
        }
        if (name == null || name.isBlank()) {
            return broken(className, "name() returned a blank name");
        }
        name = name.trim().toLowerCase(Locale.ROOT);
        Capabilities caps;
        try {
            caps = b.capabilities();
        } catch (RuntimeException | LinkageError ex) {
            return new Found(new BackendInfo(name, priority, null,
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
        return new Found(new BackendInfo(name, priority, caps, availability, className), b);
    }

    private static Found broken(String className, String reason) {
        return new Found(new BackendInfo(className, Integer.MIN_VALUE, null, Availability.no(reason), className),
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

    private static void rejectDuplicates(List<Found> found) {
        Map<String, Found> byName = new HashMap<>();
        for (Found f : found) {
            Found previous = byName.putIfAbsent(f.info.name(), f);
            if (previous != null) {
                throw new IllegalStateException("Two backends are named '" + f.info.name() + "': "
                        + previous.info.implementation() + " and " + f.info.implementation()
                        + ". Backend names must be unique: remove one of the two modules from the classpath.");
            }
        }
    }
}
