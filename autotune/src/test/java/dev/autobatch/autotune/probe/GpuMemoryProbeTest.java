package dev.autobatch.autotune.probe;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.Device;
import dev.autobatch.core.DeviceMemoryProbe;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class GpuMemoryProbeTest {

    private final DeviceMemoryProbe probe = new GpuMemoryProbe();

    @Test
    void theCpuIsNotReadAsADevice() {
        assertTrue(probe.usedBytes(Device.cpu()).isEmpty());
    }

    @Test
    void noDeviceIsNotRead() {
        assertTrue(probe.usedBytes(null).isEmpty());
        assertTrue(probe.processUsedBytes(null).isEmpty());
    }

    @Test
    void theCpuHasNoPerProcessDeviceMemory() {
        assertTrue(probe.processUsedBytes(Device.cpu()).isEmpty());
    }

    @Test
    void aGpuThatDoesNotExistIsUnknown() {
        int count = GpuProbe.gpus().size();

        assertTrue(probe.usedBytes(Device.gpu(count)).isEmpty());
        assertTrue(probe.usedBytes(Device.gpu(count + 7)).isEmpty());
    }

    @Test
    void aGpuReportsUsedMemoryWithinItsTotal() {
        List<GpuInfo> gpus = GpuProbe.gpus();
        assumeTrue(!gpus.isEmpty(), "no GPU here");

        for (GpuInfo gpu : gpus) {
            OptionalLong used = probe.usedBytes(Device.gpu(gpu.index()));
            assertTrue(used.isPresent(), gpu.toString());
            assertTrue(used.getAsLong() > 0 && used.getAsLong() <= gpu.totalBytes(), used + " of " + gpu);
        }
    }
}
