package org.transformer4j.cpu;

import java.io.IOException;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.transformer4j.backend.TrainingEngine;
import org.transformer4j.backend.EngineOptions;
import org.transformer4j.testing.LlamaReferenceFixture;

/**
 * The cpu backend against PyTorch on the tiny Llama and Qwen2 fixtures ({@link LlamaReferenceFixture}): logits to
 * 1e-4 with and without the key/value cache and with left padding, and the same greedy tokens; through the
 * generation runtime (explicit positions, padding, cache rows, batches, beams) and through {@code LanguageModel.open}.
 */
class LlamaReferenceTest {
    private static TrainingEngine cpu;

    @BeforeAll
    static void open() {
        cpu = new CpuBackend().open(EngineOptions.defaults().withThreads(2));
    }

    @AfterAll
    static void close() {
        cpu.close();
    }

    static Stream<String> models() {
        return Stream.of(LlamaReferenceFixture.MODELS);
    }

    @ParameterizedTest
    @MethodSource("models")
    void matchesPyTorch(String name, @TempDir Path tmp) throws IOException {
        LlamaReferenceFixture f = LlamaReferenceFixture.load(name, tmp);
        f.logitsMatch(cpu);
        f.cachedLogitsMatch(cpu);
        f.paddedLogitsMatch(cpu);
        f.greedyTokensMatch(cpu);
    }

    @ParameterizedTest
    @MethodSource("models")
    void generatesAsPyTorchThroughTheRuntime(String name, @TempDir Path tmp) throws IOException {
        LlamaReferenceFixture f = LlamaReferenceFixture.load(name, tmp);
        f.runtimeMatches(cpu);
        f.cacheRowsMatch(cpu);
        f.generationMatches(cpu);
    }

    @ParameterizedTest
    @MethodSource("models")
    void opensThroughTheFrontDoor(String name, @TempDir Path tmp) throws IOException {
        LlamaReferenceFixture.load(name, tmp).frontDoorMatches("cpu");
    }
}
