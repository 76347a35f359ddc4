package org.transformer4j.backend;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * The one warning a default selection gives when it passed over a backend of higher priority that is unavailable
 * (typically cpu without {@code --add-modules jdk.incubator.vector}, so tensorflow is picked): which backend was
 * chosen, which were skipped and why, and how to fix it. It is logged once per JVM for each such outcome, through
 * {@link System.Logger} (logger {@value #LOGGER}), so it reaches whatever logging the application routes the JDK's
 * platform logging to.
 */
final class FallbackWarning {
    /** The logger's name. */
    static final String LOGGER = "org.transformer4j.backend";

    private static final System.Logger LOG = System.getLogger(LOGGER);
    private static final Set<String> WARNED = ConcurrentHashMap.newKeySet();

    private FallbackWarning() {
    }

    /**
     * Logs the warning when {@code chosen} was picked by priority although a backend of higher priority that would
     * meet {@code requirement} is unavailable; once per JVM for the same outcome.
     *
     * @return the warning's text, or null when nothing was passed over
     */
    static String warnIfPassedOver(List<BackendInfo> found, BackendInfo chosen, BackendRequirement requirement) {
        List<BackendInfo> skipped = found.stream()
                .filter(i -> i.priority() > chosen.priority() && !i.available())
                .filter(i -> i.capabilities() == null || requirement.isMetBy(i.capabilities()))
                .toList();
        if (skipped.isEmpty()) {
            return null;
        }
        String reasons = skipped.stream()
                .map(i -> "'" + i.name() + "' (priority " + i.priority() + ") is unavailable: " + i.availability().reason())
                .collect(Collectors.joining("; "));
        String message = "Using backend '" + chosen.name() + "' (priority " + chosen.priority()
                + ") because the higher-priority " + reasons + ". To use "
                + (skipped.size() == 1 ? "it" : "them") + ", fix the reason given; to choose '" + chosen.name()
                + "' on purpose and silence this warning, name it (system property " + BackendRegistry.SYSTEM_PROPERTY
                + ", environment variable " + BackendRegistry.ENVIRONMENT_VARIABLE + " or "
                + BackendRegistry.PROPERTIES_RESOURCE + ").";
        String key = chosen.name() + " <- " + skipped.stream().map(BackendInfo::name).collect(Collectors.joining(","));
        if (WARNED.add(key)) {
            LOG.log(System.Logger.Level.WARNING, message);
        }
        return message;
    }
}
