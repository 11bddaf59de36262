package dev.autobatch.autotune.probe;

import static dev.autobatch.autotune.probe.HandWrittenGpus.GIB;
import static dev.autobatch.autotune.probe.HandWrittenGpus.gpu;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.util.cuda.CudaUtils;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class GpuProbeTest {

    private final HandWrittenGpus machine = HandWrittenGpus.of(
            gpu("NVIDIA A10", "GPU-a10a10a1-0000-4000-8000-000000000017", 0x17, 24, 1),
            gpu("NVIDIA H100 80GB HBM3", "GPU-b100b100-0000-4000-8000-000000000065", 0x65, 80, 2));

    @Test
    void gpusAreListedInCudasOrderWithTheMemoryOfTheMappedNvmlDevice() {
        List<GpuInfo> gpus = GpuProbe.list(machine, List.of(1, 0));

        assertEquals(
                List.of(
                        new GpuInfo(0, "NVIDIA H100 80GB HBM3", 80 * GIB, 78 * GIB, "NVML"),
                        new GpuInfo(1, "NVIDIA A10", 24 * GIB, 23 * GIB, "NVML")),
                gpus);
    }

    @Test
    void aGpuWhoseMemoryCannotBeReadIsListedWithUnknownBytes() {
        HandWrittenGpus unreadable =
                HandWrittenGpus.of(new HandWrittenGpus.Gpu(null, null, null, -1, 0, java.util.Map.of()));

        assertEquals(List.of(new GpuInfo(0, "unknown", -1, -1, "NVML")), GpuProbe.list(unreadable, List.of(0)));
    }

    @Test
    void usedMemoryIsReadFromTheMappedDevice() {
        assertEquals(OptionalLong.of(2 * GIB), GpuProbe.usedBytes(machine, List.of(1, 0), 0));
        assertEquals(OptionalLong.of(GIB), GpuProbe.usedBytes(machine, List.of(1, 0), 1));
    }

    @Test
    void usedMemoryOfACudaDeviceBeyondTheMappingIsUnknown() {
        assertEquals(OptionalLong.empty(), GpuProbe.usedBytes(machine, List.of(1), 1));
        assertEquals(OptionalLong.empty(), GpuProbe.usedBytes(machine, List.of(1), -1));
        assertEquals(OptionalLong.empty(), GpuProbe.processUsedBytes(machine, List.of(1), 1, 42));
    }

    @Test
    void processMemoryIsReadForThatProcessOnTheMappedDevice() {
        HandWrittenGpus.Gpu h100 = gpu("NVIDIA H100 80GB HBM3", "GPU-b100", 0x65, 80, 9);
        h100.processes().put(4242L, 3 * GIB);
        h100.processes().put(77L, 5 * GIB);
        HandWrittenGpus withProcesses = HandWrittenGpus.of(gpu("NVIDIA A10", "GPU-a10", 0x17, 24, 1), h100);

        assertEquals(OptionalLong.of(3 * GIB), GpuProbe.processUsedBytes(withProcesses, List.of(1, 0), 0, 4242));
        assertEquals(OptionalLong.empty(), GpuProbe.processUsedBytes(withProcesses, List.of(1, 0), 1, 4242));
        assertEquals(OptionalLong.empty(), GpuProbe.processUsedBytes(withProcesses, List.of(1, 0), 0, 1));
    }

    @Test
    void aMachineWithoutGpusGetsAnEmptyList() {
        boolean noGpu = Nvml.instance().isEmpty() && CudaUtils.getGpuCount() == 0;
        assumeTrue(noGpu, "a GPU or NVIDIA driver is here");

        assertEquals(List.of(), GpuProbe.gpus());
        assertTrue(GpuProbe.usedBytes(0).isEmpty());
        assertTrue(GpuProbe.processUsedBytes(0).isEmpty());
    }

    @Test
    void usedMemoryOfAGpuThatDoesNotExistIsUnknown() {
        assertTrue(GpuProbe.usedBytes(-1).isEmpty());
        assertTrue(GpuProbe.usedBytes(GpuProbe.gpus().size()).isEmpty());
    }

    @Test
    void eachRealGpuReadsItsNameAndMemory() {
        List<GpuInfo> gpus = GpuProbe.gpus();
        assumeTrue(!gpus.isEmpty(), "no GPU here (the fake-gpu execution tests the listing without one)");

        for (GpuInfo gpu : gpus) {
            assertTrue(gpu.totalBytes() > 0, gpu.toString());
            assertTrue(gpu.freeBytes() >= 0 && gpu.freeBytes() <= gpu.totalBytes(), gpu.toString());
            if (gpu.source().equals("NVML")) {
                assertNotEquals("unknown", gpu.name());
            }
            long used = GpuProbe.usedBytes(gpu.index()).orElseThrow();
            assertTrue(used > 0 && used <= gpu.totalBytes(), "used " + used + " of " + gpu);
        }
    }

    @Test
    void cudaVisibleDevicesUnsetShowsEveryGpu() {
        CudaVisibleDevices visible = CudaVisibleDevices.parse(null);

        assertTrue(visible.all());
        assertTrue(visible.mappable());
    }

    @Test
    void cudaVisibleDevicesKeepsCudasOrder() {
        CudaVisibleDevices visible = CudaVisibleDevices.parse(" 2, 0 ,GPU-8a9c1f2e-77aa-4c1b-9d3e-0123456789ab");

        assertFalse(visible.all());
        assertEquals(List.of("2", "0", "GPU-8a9c1f2e-77aa-4c1b-9d3e-0123456789ab"), visible.entries());
        assertTrue(visible.mappable());
    }

    @Test
    void cudaVisibleDevicesEndsAtTheFirstInvalidEntry() {
        assertEquals(List.of("0"), CudaVisibleDevices.parse("0,-1,1").entries());
        assertEquals(List.of(), CudaVisibleDevices.parse("-1").entries());
        assertEquals(List.of(), CudaVisibleDevices.parse("").entries());
        assertEquals(List.of("1"), CudaVisibleDevices.parse("1,,2").entries());
        assertEquals(List.of(), CudaVisibleDevices.parse("NoDevFiles").entries());
    }

    @Test
    void migInstancesCannotBeMappedToNvmlDevices() {
        CudaVisibleDevices visible = CudaVisibleDevices.parse("MIG-4b1c6f2a-0d7e-5a3b-9c8d-112233445566");

        assertFalse(visible.mappable());
        assertEquals(1, visible.entries().size());
    }
}
