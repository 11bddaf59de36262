package dev.autobatch.autotune.hardware;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.util.cuda.CudaUtils;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

class GpuProbeTest {

    @Test
    void listingNeverThrowsAndEachGpuIsConsistent() {
        List<GpuInfo> gpus = assertDoesNotThrow(GpuProbe::gpus);

        for (int i = 0; i < gpus.size(); i++) {
            GpuInfo gpu = gpus.get(i);
            assertEquals(i, gpu.index(), "GPUs are listed in Device.gpu(i) order");
            assertFalse(gpu.name().isBlank());
            assertTrue(Set.of("NVML", "CUDA").contains(gpu.source()), gpu.source());
            if (gpu.totalBytes() >= 0) {
                assertTrue(gpu.totalBytes() >= gpu.freeBytes() && gpu.freeBytes() >= 0, gpu.toString());
            } else {
                assertEquals(-1, gpu.freeBytes(), gpu.toString());
            }
        }
    }

    @Test
    void aMachineWithoutGpusGetsAnEmptyList() {
        boolean noGpu = Nvml.instance().isEmpty() && CudaUtils.getGpuCount() == 0;
        assumeTrue(noGpu, "a GPU or NVIDIA driver is here");

        assertEquals(List.of(), GpuProbe.gpus());
        assertTrue(GpuProbe.usedBytes(0).isEmpty());
    }

    @Test
    void usedMemoryOfAGpuThatDoesNotExistIsUnknown() {
        assertTrue(GpuProbe.usedBytes(-1).isEmpty());
        assertTrue(GpuProbe.usedBytes(GpuProbe.gpus().size()).isEmpty());
    }

    @Test
    void nvmlIsLoadedOnceWhetherOrNotItExists() {
        assertEquals(Nvml.instance().isPresent(), Nvml.instance().isPresent());
        Nvml.instance().ifPresent(nvml -> assertTrue(nvml == Nvml.instance().orElseThrow()));
    }

    @Test
    void eachGpuReadsItsNameAndMemory() {
        List<GpuInfo> gpus = GpuProbe.gpus();
        assumeTrue(!gpus.isEmpty(), "no GPU here");

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
