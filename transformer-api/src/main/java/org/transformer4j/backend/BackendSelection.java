package org.transformer4j.backend;

import java.util.List;
import java.util.Locale;
import org.transformer4j.backend.BackendDiscovery.Found;

/**
 * The selection rules over the backends discovery found. A named backend ({@link BackendRequest}) must exist, be
 * available and meet the requirement, or selection fails with {@link BackendNotFoundException}: it never falls back
 * silently to another one. With no name, the available backend of highest priority that meets the requirement wins
 * (ties by name); when that passes over an unavailable backend of higher priority, {@link FallbackWarning} says so
 * once. Every failure lists all backends found, so the message alone shows what to fix.
 */
final class BackendSelection {

    private BackendSelection() {
    }

    /**
     * Selects from {@code found} (highest priority first).
     *
     * @param found       what discovery found
     * @param request     the configured name, or null when nothing names a backend
     * @param requirement what the backend must be able to do
     * @throws BackendNotFoundException when the named backend is unknown, unavailable or does not meet the
     *                                  requirement, or when no available backend meets it
     */
    static BackendChoice select(List<Found> found, BackendRequest request, BackendRequirement requirement) {
        List<BackendInfo> infos = found.stream().map(Found::info).toList();
        if (request != null) {
            return selectNamed(found, infos, request, requirement);
        }
        for (Found f : found) {
            if (f.backend() != null && f.info().available() && requirement.isMetBy(f.info().capabilities())) {
                FallbackWarning.warnIfPassedOver(infos, f.info(), requirement);
                return new BackendChoice(f.backend(), f.info(), "highest-priority available backend"
                        + (requirement == BackendRequirement.ANY ? "" : " that can " + requirement.verb())
                        + " (no backend named by code, system property " + BackendRegistry.SYSTEM_PROPERTY
                        + ", environment variable " + BackendRegistry.ENVIRONMENT_VARIABLE + " or "
                        + BackendRegistry.PROPERTIES_RESOURCE + ")");
            }
        }
        String what = requirement == BackendRequirement.ANY ? "No available backend"
                : "No available backend that can " + requirement.verb();
        throw new BackendNotFoundException(what + " was found, and none was named (code, system property "
                + BackendRegistry.SYSTEM_PROPERTY + ", environment variable " + BackendRegistry.ENVIRONMENT_VARIABLE
                + ", " + BackendRegistry.PROPERTIES_RESOURCE + ").\n" + listing(infos) + "\nTo fix: add a backend "
                + "module that can " + requirement.verb() + " here to the classpath (e.g. transformer4j backend-cpu, "
                + "which runs on any JVM 25), or fix the reason given for one listed above.", infos);
    }

    private static BackendChoice selectNamed(List<Found> found, List<BackendInfo> infos, BackendRequest request,
            BackendRequirement requirement) {
        String key = request.name().toLowerCase(Locale.ROOT);
        Found match = found.stream().filter(f -> f.info().name().equals(key)).findFirst().orElse(null);
        if (match == null) {
            throw new BackendNotFoundException("No backend named '" + key + "' was found (from " + request.source()
                    + ").\n" + listing(infos) + "\nTo fix: pick one of the names listed above, or add the module "
                    + "that provides '" + key + "' to the classpath.", infos);
        }
        if (match.backend() == null || !match.info().available()) {
            throw new BackendNotFoundException("Backend '" + key + "' (from " + request.source()
                    + ") is not available: " + match.info().availability().reason() + "\n" + listing(infos)
                    + "\nTo fix: fix the reason above, or pick another backend listed as available.", infos);
        }
        if (!requirement.isMetBy(match.info().capabilities())) {
            throw new BackendNotFoundException("Backend '" + key + "' (from " + request.source() + ") cannot "
                    + requirement.verb() + " (it " + match.info().capabilities() + ").\n" + listing(infos)
                    + "\nTo fix: pick a backend listed above that can " + requirement.verb()
                    + ", or name none to get the best one that can.", infos);
        }
        return new BackendChoice(match.backend(), match.info(), request.source());
    }

    /** Every backend found, one per line, for error messages. */
    private static String listing(List<BackendInfo> infos) {
        if (infos.isEmpty()) {
            return "Backends found: none (no META-INF/services/" + Backend.class.getName()
                    + " entry on the classpath).";
        }
        StringBuilder sb = new StringBuilder("Backends found (" + infos.size() + "):");
        for (BackendInfo i : infos) {
            sb.append("\n  - ").append(i.describe());
        }
        return sb.toString();
    }
}
