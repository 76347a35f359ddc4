package org.transformer4j.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.net.URLClassLoader;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Discovery through a real {@link java.util.ServiceLoader}. The services file lives under
 * {@code serviceloader-fixture/} in the test resources, not at the root, so that it is seen only through
 * the class loader built here and never by other tests or by the modules that use the test-jar.
 */
class BackendServiceLoaderTest {

    /** A provider whose constructor throws, as one whose native library fails in a static block would. */
    public static final class ConstructorThrowsBackend extends FakeBackend {
        public ConstructorThrowsBackend() {
            super("never", 1000, true, Availability.yes());
            throw new IllegalStateException("constructor refused: missing native library libfoo.so");
        }
    }

    /** A healthy provider. */
    public static final class GoodBackend extends FakeBackend {
        public GoodBackend() {
            super("good", 5, true, Availability.yes());
        }
    }

    private static ClassLoader fixtureLoader() {
        URL services = BackendServiceLoaderTest.class.getClassLoader()
                .getResource("serviceloader-fixture/META-INF/services/" + Backend.class.getName());
        assertNotNull(services, "test resource serviceloader-fixture is missing");
        String s = services.toString();
        try {
            URL root = java.net.URI.create(s.substring(0, s.indexOf("META-INF/services/"))).toURL();
            return new URLClassLoader(new URL[] {root}, BackendServiceLoaderTest.class.getClassLoader());
        } catch (java.net.MalformedURLException e) {
            throw new AssertionError(e);
        }
    }

    private static BackendRegistry registry(Map<String, String> props) {
        ClassLoader cl = fixtureLoader();
        return new BackendRegistry(java.util.ServiceLoader.load(Backend.class, cl), props::get, name -> null, cl);
    }

    @Test
    void providerWhoseConstructorThrowsIsListedNotFatal() {
        BackendRegistry r = registry(Map.of());
        List<BackendInfo> infos = r.list();
        BackendInfo good = infos.stream().filter(i -> i.name().equals("good")).findFirst().orElseThrow();
        assertTrue(good.available());
        BackendInfo broken = infos.stream()
                .filter(i -> i.implementation().equals(ConstructorThrowsBackend.class.getName()))
                .findFirst().orElseThrow(() -> new AssertionError("broken provider not listed: " + infos));
        assertFalse(broken.available());
        assertTrue(broken.availability().reason().contains("could not be instantiated"), broken.describe());
        assertTrue(broken.availability().reason().contains("libfoo.so"), broken.describe());
        assertEquals("good", r.select(null).name());
    }

    @Test
    void providerClassThatDoesNotExistIsListedAndDiscoveryGoesOn() {
        List<BackendInfo> infos = registry(Map.of()).list();
        assertEquals(3, infos.size(), infos.toString());
        BackendInfo missing = infos.stream().filter(i -> i.implementation().contains("DoesNotExist"))
                .findFirst().orElseThrow(() -> new AssertionError("missing provider not listed: " + infos));
        assertFalse(missing.available());
        assertTrue(missing.availability().reason().contains("could not be loaded"), missing.describe());
    }

    @Test
    void errorForMissingBackendListsTheBrokenProviders() {
        BackendRegistry r = registry(Map.of("transformer4j.backend", "never"));
        BackendNotFoundException ex = assertThrows(BackendNotFoundException.class, () -> r.select(null));
        String m = ex.getMessage();
        assertTrue(m.contains("system property transformer4j.backend=never"), m);
        assertTrue(m.contains(ConstructorThrowsBackend.class.getName()) && m.contains("libfoo.so"), m);
        assertTrue(m.contains("good (priority 5"), m);
    }

    @Test
    void staticFrontDoorSeesTheThreadContextClassLoader() {
        Thread t = Thread.currentThread();
        ClassLoader saved = t.getContextClassLoader();
        t.setContextClassLoader(fixtureLoader());
        try {
            assertEquals(3, Backends.list().size());
            BackendNotFoundException ex = assertThrows(BackendNotFoundException.class,
                    () -> Backends.open("nope", EngineOptions.defaults()));
            assertTrue(ex.getMessage().contains("'nope'"), ex.getMessage());
        } finally {
            t.setContextClassLoader(saved);
        }
    }
}
