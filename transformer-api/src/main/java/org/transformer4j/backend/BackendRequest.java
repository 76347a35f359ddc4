package org.transformer4j.backend;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.util.Properties;
import java.util.function.UnaryOperator;

/**
 * The backend name the configuration asks for, and where it came from in words (for messages and
 * {@link BackendChoice#source()}). The first source that is set wins; names are trimmed, blank counts as unset:
 * the name passed in code, the system property {@value BackendRegistry#SYSTEM_PROPERTY}, the environment variable
 * {@value BackendRegistry#ENVIRONMENT_VARIABLE}, the key {@value BackendRegistry#PROPERTIES_KEY} of a
 * {@value BackendRegistry#PROPERTIES_RESOURCE} resource on the classpath.
 *
 * @param name   the name asked for, trimmed (not yet lower-cased)
 * @param source where it came from, e.g. {@code system property transformer4j.backend=cpu}
 */
record BackendRequest(String name, String source) {

    /**
     * The request of the first source that is set, or null when none names a backend.
     *
     * @param explicit         the name passed in code, or null
     * @param systemProperties looks up a system property; null when unset
     * @param environment      looks up an environment variable; null when unset
     * @param resources        where to look for {@value BackendRegistry#PROPERTIES_RESOURCE}; null to not look
     * @throws UncheckedIOException when the properties resource exists but cannot be read
     */
    static BackendRequest resolve(String explicit, UnaryOperator<String> systemProperties,
            UnaryOperator<String> environment, ClassLoader resources) {
        if (!isBlank(explicit)) {
            return new BackendRequest(explicit.trim(), "the name passed in code: \"" + explicit + "\"");
        }
        String prop = systemProperties.apply(BackendRegistry.SYSTEM_PROPERTY);
        if (!isBlank(prop)) {
            return new BackendRequest(prop.trim(), "system property " + BackendRegistry.SYSTEM_PROPERTY + "=" + prop);
        }
        String env = environment.apply(BackendRegistry.ENVIRONMENT_VARIABLE);
        if (!isBlank(env)) {
            return new BackendRequest(env.trim(),
                    "environment variable " + BackendRegistry.ENVIRONMENT_VARIABLE + "=" + env);
        }
        URL url = resources == null ? null : resources.getResource(BackendRegistry.PROPERTIES_RESOURCE);
        if (url == null) {
            return null;
        }
        Properties p = new Properties();
        try (InputStream in = url.openStream()) {
            p.load(in);
        } catch (IOException | IllegalArgumentException ex) {
            throw new UncheckedIOException(new IOException("Could not read " + url + " to find the '"
                    + BackendRegistry.PROPERTIES_KEY + "' key naming the backend: " + ex.getMessage()
                    + "; fix the file (Java properties format) or remove it", ex));
        }
        String fromFile = p.getProperty(BackendRegistry.PROPERTIES_KEY);
        if (isBlank(fromFile)) {
            return null;
        }
        return new BackendRequest(fromFile.trim(), BackendRegistry.PROPERTIES_RESOURCE + " (" + url + ") "
                + BackendRegistry.PROPERTIES_KEY + "=" + fromFile);
    }

    private static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }
}
