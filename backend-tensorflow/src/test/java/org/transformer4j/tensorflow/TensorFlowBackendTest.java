package org.transformer4j.tensorflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.transformer4j.backend.Availability;
import org.transformer4j.backend.Backend;
import org.transformer4j.backend.Engine;
import org.transformer4j.backend.TrainingEngine;
import org.transformer4j.backend.EngineOptions;
import org.transformer4j.tensor.HostTensor;
import org.transformer4j.tensor.Shape;

/** Discovery, availability, devices and engine life cycle of the tensorflow backend. */
class TensorFlowBackendTest {

    @Test
    void isFoundByTheServiceLoaderAvailableBelowTheCpuBackendAndTrainsAndInfers() {
        Backend b = ServiceLoader.load(Backend.class).stream().map(ServiceLoader.Provider::get)
                .filter(x -> x.name().equals("tensorflow")).findFirst().orElseThrow();
        Availability a = b.availability();
        assertTrue(a.available(), a.reason());
        assertEquals(50, b.priority());
        assertTrue(b.capabilities().trains() && b.capabilities().infers(), b.capabilities().toString());
        assertTrue(b.capabilities().devices().contains("cpu"));
    }

    @Test
    void theDefaultAndCpuDevicesOpen() {
        for (String device : new String[] {null, "cpu", "CPU:0"}) {
            try (TrainingEngine e = new TensorFlowBackend().open(EngineOptions.defaults().withThreads(1).withDevice(device))) {
                assertEquals("tensorflow", e.backendName());
                assertEquals("cpu", ((TfEngine) e).device());
            }
        }
    }

    @Test
    void aGpuThatIsNotThereIsRefusedNamingWhatWasLookedFor() {
        // The CPU build of TensorFlow is on the test class path, so no GPU can be found whatever the machine has.
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new TensorFlowBackend().open(EngineOptions.defaults().withDevice("gpu:0")).close());
        assertTrue(e.getMessage().contains("gpu:0") && e.getMessage().contains("/device:GPU:0")
                && e.getMessage().contains("'cpu'") && e.getMessage().contains("tensorflow-gpu"), e.getMessage());
        IllegalArgumentException high = assertThrows(IllegalArgumentException.class,
                () -> new TensorFlowBackend().open(EngineOptions.defaults().withDevice("gpu:7")).close());
        assertTrue(high.getMessage().contains("/device:GPU:7"), high.getMessage());
    }

    @Test
    void anUnknownDeviceNameIsRefused() {
        for (String device : new String[] {"tpu", "gpu:x", "gpu:-1", ""}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new TensorFlowBackend().open(EngineOptions.defaults().withDevice(device)).close(), device);
            assertTrue(e.getMessage().contains("'" + device + "'") && e.getMessage().contains("gpu:N"), e.getMessage());
        }
    }

    @Test
    void inferenceOpsReuseOneCompiledGraphPerOpWhateverTheShapesAndFailAfterClose() {
        TrainingEngine e = new TensorFlowBackend().open(EngineOptions.defaults().withThreads(1));
        var ops = e.inferenceOps();
        for (int t = 1; t <= 5; t++) {
            float[] a = new float[2 * t * 3];
            float[] b = new float[3];
            for (int i = 0; i < a.length; i++) {
                a[i] = i;
            }
            b[1] = 0.5f;
            float[] sum = ops.add(ops.constant(HostTensor.ofFloats(Shape.of(2, t, 3), a)),
                    ops.constant(HostTensor.ofFloats(Shape.of(3), b))).toFloatArray();
            for (int i = 0; i < a.length; i++) {
                assertEquals(a[i] + b[i % 3], sum[i], 0f);
            }
        }
        assertEquals(1, ((TfEngine) e).compiledOps());
        e.close();
        var x = ops.constant(HostTensor.ofFloats(Shape.of(3), new float[3]));
        IllegalStateException closed = assertThrows(IllegalStateException.class, () -> ops.relu(x));
        assertTrue(closed.getMessage().contains("closed"), closed.getMessage());
    }

    @Test
    void closedLoadedWeightsSayWhyTheyCannotBeUsed() {
        try (TrainingEngine e = new TensorFlowBackend().open(EngineOptions.defaults().withThreads(1))) {
            var w = e.load(java.util.Map.of("w", HostTensor.ofFloats(Shape.of(2), new float[] {1, 2})));
            assertEquals(2f, w.get("w").toFloatArray()[1]);
            IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> w.get("v"));
            assertTrue(unknown.getMessage().contains("'v'"), unknown.getMessage());
            w.close();
            IllegalStateException freed = assertThrows(IllegalStateException.class, () -> w.get("w").toFloatArray());
            assertTrue(freed.getMessage().contains("closed"), freed.getMessage());
        }
    }
}
