package org.transformer4j.backend;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NativePlatformTest {

    @TempDir
    Path dir;

    @Test
    void normalizesTheJvmsNamesAsNativeJarsDo() {
        assertThat(NativePlatform.of("Linux", "amd64")).hasToString("linux/x86_64");
        assertThat(NativePlatform.of("Linux", "aarch64")).hasToString("linux/aarch64");
        assertThat(NativePlatform.of("Mac OS X", "aarch64")).hasToString("macos/aarch64");
        assertThat(NativePlatform.of("Mac OS X", "x86_64")).hasToString("macos/x86_64");
        assertThat(NativePlatform.of("Windows 11", "amd64")).hasToString("windows/x86_64");
        assertThat(NativePlatform.of("FreeBSD", "riscv64")).hasToString("freebsd/riscv64");
        assertThat(NativePlatform.of("SunOS", "sparcv9").os()).isEqualTo("sunos");
    }

    @Test
    void theCurrentPlatformComesFromTheSystemProperties() {
        NativePlatform p = NativePlatform.current();
        assertThat(p).isEqualTo(NativePlatform.of(System.getProperty("os.name"), System.getProperty("os.arch")));
    }

    @Test
    void namesLibraryFilesAsEachPlatformsJvmDoes() {
        assertThat(NativePlatform.of("Linux", "amd64").libraryFileName("jnitensorflow")).isEqualTo("libjnitensorflow.so");
        assertThat(NativePlatform.of("Mac OS X", "aarch64").libraryFileName("x")).isEqualTo("libx.dylib");
        assertThat(NativePlatform.of("Windows 10", "amd64").libraryFileName("x")).isEqualTo("x.dll");
        assertThat(NativePlatform.current().libraryFileName("x")).isEqualTo(System.mapLibraryName("x"));
    }

    @Test
    void findsAResourceWithoutLoadingIt() throws Exception {
        Files.createDirectories(dir.resolve("lib/linux-x64"));
        Files.writeString(dir.resolve("lib/linux-x64/libfake.so"), "not a library");
        try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()}, null)) {
            assertThat(NativePlatform.hasResource(loader, "lib/osx-aarch64/libfake.dylib", "lib/linux-x64/libfake.so"))
                    .isTrue();
            assertThat(NativePlatform.hasResource(loader, "lib/win-x64/fake.dll")).isFalse();
        }
    }

    @Test
    void findsAClassWithoutInitializingIt() throws Exception {
        assertThat(NativePlatform.hasClass(getClass().getClassLoader(), "org.transformer4j.backend.NativePlatform"))
                .isTrue();
        try (URLClassLoader empty = new URLClassLoader(new URL[0], null)) {
            assertThat(NativePlatform.hasClass(empty, "org.transformer4j.backend.NativePlatform")).isFalse();
        }
    }

    @Test
    void findsLibrariesInstalledInADirectoryOfTheSearchPath() throws Exception {
        Path a = Files.createDirectories(dir.resolve("a"));
        Path b = Files.createDirectories(dir.resolve("b"));
        String path = a + java.io.File.pathSeparator + java.io.File.pathSeparator + b;
        Files.writeString(a.resolve("libone.so"), "");
        Files.writeString(b.resolve("libtwo.so"), "");
        assertThat(NativePlatform.onLibraryPath(path, "libone.so")).isTrue();
        assertThat(NativePlatform.onLibraryPath(path, "libtwo.so")).isTrue();
        assertThat(NativePlatform.onLibraryPath(path, "libone.so", "libtwo.so")).isFalse(); // not in one directory
        assertThat(NativePlatform.onLibraryPath("", "libone.so")).isFalse();
    }

    @Test
    void theMessageNamesThePlatformAndTheFix() {
        Availability a = NativePlatform.of("Mac OS X", "x86_64").noNativeLibrary("add g:a:1:c");
        assertThat(a.available()).isFalse();
        assertThat(a.reason()).isEqualTo("no native library for this platform (macos/x86_64), add g:a:1:c");
    }
}
