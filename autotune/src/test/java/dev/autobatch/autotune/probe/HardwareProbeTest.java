package dev.autobatch.autotune.probe;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import org.junit.jupiter.api.Test;

class HardwareProbeTest {

    @Test
    void aSnapshotHoldsItsInvariants() {
        HardwareSnapshot hw = assertDoesNotThrow(() -> HardwareProbe.snapshot());

        assertInvariants(hw);
    }

    @Test
    void thisLinuxMachineIsRead() {
        // OSHI reads /proc on Linux: every host value is known here.
        HardwareSnapshot hw = HardwareProbe.snapshot();

        assertFalse(hw.cpuModel().equals("unknown"), hw.toString());
        assertTrue(hw.physicalCores() >= 1, hw.toString());
        assertTrue(hw.totalMemoryBytes() > 0, hw.toString());
        assertTrue(hw.availableMemoryBytes() > 0, hw.toString());
        assertTrue(HardwareProbe.processResidentBytes() > 0);
    }

    @Test
    void theLoadAverageIsKnownOnLinuxAndNeverNegativeOtherwise() {
        double load = HardwareProbe.loadAverage();

        assertTrue(load == -1 || load >= 0, "load average " + load);
        if (System.getProperty("os.name").startsWith("Linux")) {
            assertTrue(load >= 0, "Linux reports a load average, got " + load);
        }
    }

    @Test
    void withoutAnEngineTheDefaultEngineIsNamedButNotLoaded() {
        HardwareSnapshot hw = HardwareProbe.snapshot();

        assertEquals(Engine.getDefaultEngineName(), hw.engine());
        assertEquals(
                HardwareProbe.parseThreads(System.getProperty(HardwareProbe.NUM_THREADS_PROPERTY)), hw.engineThreads());
        assertEquals(
                HardwareProbe.parseThreads(System.getProperty(HardwareProbe.NUM_INTEROP_THREADS_PROPERTY)),
                hw.engineInteropThreads());
    }

    @Test
    void aLoadedPyTorchEngineGivesItsVersionAndActualThreads() {
        Engine engine = Engine.getEngine("PyTorch");

        HardwareSnapshot hw = HardwareProbe.snapshot(engine);

        assertEquals("PyTorch " + engine.getVersion(), hw.engine());
        assertTrue(hw.engineThreads() >= 1, hw.toString());
        assertTrue(hw.engineInteropThreads() >= 1, hw.toString());
        assertInvariants(hw);
    }

    @Test
    void threadPropertiesParseToPositiveCountsOrUnknown() {
        assertEquals(8, HardwareProbe.parseThreads("8"));
        assertEquals(4, HardwareProbe.parseThreads(" 4 "));
        assertEquals(-1, HardwareProbe.parseThreads(null));
        assertEquals(-1, HardwareProbe.parseThreads("0"));
        assertEquals(-1, HardwareProbe.parseThreads("-2"));
        assertEquals(-1, HardwareProbe.parseThreads("many"));
    }

    @Test
    void describeNamesEveryPartWithoutRawUnknowns() {
        String text = HardwareProbe.snapshot().describe();

        assertTrue(text.startsWith("CPU: "), text);
        assertTrue(text.contains("\nEngine: "), text);
        assertTrue(text.contains("\nHost memory: "), text);
        assertTrue(text.contains("container limit: "), text);
        assertTrue(text.contains("\nJVM max heap: "), text);
        assertTrue(text.contains("\nGPU"), text);
        assertFalse(text.matches("(?s).*(^|\\D)-1(\\D|$).*"), text);
    }

    private static void assertInvariants(HardwareSnapshot hw) {
        assertFalse(hw.cpuModel().isBlank());
        assertTrue(hw.physicalCores() == -1 || hw.physicalCores() >= 1, hw.toString());
        assertTrue(hw.logicalCores() == -1 || hw.logicalCores() >= Math.max(1, hw.physicalCores()), hw.toString());
        assertTrue(hw.totalMemoryBytes() == -1 || hw.totalMemoryBytes() > 0, hw.toString());
        assertTrue(hw.availableMemoryBytes() >= -1, hw.toString());
        if (hw.totalMemoryBytes() > 0) {
            assertTrue(hw.totalMemoryBytes() >= hw.availableMemoryBytes(), hw.toString());
        }
        assertTrue(hw.containerLimitBytes() == -1 || hw.containerLimitBytes() > 0, hw.toString());
        assertTrue(hw.jvmMaxHeapBytes() == -1 || hw.jvmMaxHeapBytes() > 0, hw.toString());
        assertFalse(hw.engine().isBlank());
        assertTrue(hw.engineThreads() == -1 || hw.engineThreads() >= 1, hw.toString());
        assertTrue(hw.engineInteropThreads() == -1 || hw.engineInteropThreads() >= 1, hw.toString());
        for (GpuInfo gpu : hw.gpus()) {
            assertTrue(gpu.totalBytes() == -1 || gpu.totalBytes() >= gpu.freeBytes(), gpu.toString());
            assertTrue(gpu.freeBytes() >= -1, gpu.toString());
        }
    }
}
