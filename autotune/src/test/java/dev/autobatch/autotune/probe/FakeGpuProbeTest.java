package dev.autobatch.autotune.probe;

import static dev.autobatch.autotune.probe.FakeGpus.A10;
import static dev.autobatch.autotune.probe.FakeGpus.A10_INITIAL_USED;
import static dev.autobatch.autotune.probe.FakeGpus.A10_UUID;
import static dev.autobatch.autotune.probe.FakeGpus.GIB;
import static dev.autobatch.autotune.probe.FakeGpus.H100;
import static dev.autobatch.autotune.probe.FakeGpus.H100_INITIAL_USED;
import static dev.autobatch.autotune.probe.FakeGpus.H100_UUID;
import static dev.autobatch.autotune.probe.FakeGpus.MIB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import dev.autobatch.autotune.budget.MemoryBudget;
import dev.autobatch.core.MemoryMeasurement;
import dev.autobatch.core.internal.PeakMemoryMeter;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * CUDA's numbering resolved against NVML's, the listing, the budget and a trial's device peak,
 * all through the real bindings ({@link Nvml}, {@link CudaDriver}) loaded from the stand-ins.
 */
class FakeGpuProbeTest {

    private static final GpuInfo H100_INFO =
            new GpuInfo(0, "NVIDIA H100 80GB HBM3", 80 * GIB, 80 * GIB - H100_INITIAL_USED, "NVML");

    private Nvml nvml;

    @BeforeEach
    void resetTheStandIns() {
        FakeGpus.reset();
        nvml = FakeGpus.nvml();
    }

    /** What CUDA_VISIBLE_DEVICES would map to where the CUDA driver cannot be asked. */
    private Optional<List<Integer>> withoutDriver(String visible, CudaDeviceOrder order) {
        return CudaToNvml.map(nvml, CudaDevices.UNKNOWN, CudaVisibleDevices.parse(visible), order);
    }

    private Optional<List<Integer>> throughDriver(String visible) {
        return CudaToNvml.map(
                nvml, CudaDriver.instance(), CudaVisibleDevices.parse(visible), CudaDeviceOrder.FASTEST_FIRST);
    }

    @Test
    void cudasFastestFirstOrderIsResolvedByPciBusIdSoGpu0IsTheH100() {
        List<Integer> indexes = throughDriver(null).orElseThrow();

        assertEquals(List.of(H100, A10), indexes);
        List<GpuInfo> gpus = GpuProbe.list(nvml, indexes);
        assertEquals(H100_INFO, gpus.get(0));
        assertEquals(new GpuInfo(1, "NVIDIA A10", 24 * GIB, 24 * GIB - A10_INITIAL_USED, "NVML"), gpus.get(1));
    }

    @Test
    void theDriversListAfterCudaVisibleDevicesIsFollowed() {
        // As CUDA_VISIBLE_DEVICES=<A10's UUID> leaves it: one GPU, the A10.
        FakeGpus.setCudaVisible(A10);

        assertEquals(Optional.of(List.of(A10)), throughDriver(A10_UUID));
        assertEquals(
                List.of("NVIDIA A10"),
                GpuProbe.list(nvml, List.of(A10)).stream().map(GpuInfo::name).toList());
    }

    @Test
    void withoutTheDriverMixedModelsInFastestFirstOrderAreNotGuessed() {
        assertEquals(Optional.empty(), withoutDriver(null, CudaDeviceOrder.FASTEST_FIRST));
        assertEquals(Optional.empty(), withoutDriver("0", CudaDeviceOrder.FASTEST_FIRST));
    }

    @Test
    void cudaVisibleDevicesByIndexUnderPciBusIdOrder() {
        assertEquals(Optional.of(List.of(A10, H100)), withoutDriver(null, CudaDeviceOrder.PCI_BUS_ID));
        assertEquals(Optional.of(List.of(H100)), withoutDriver("1", CudaDeviceOrder.PCI_BUS_ID));
    }

    @Test
    void cudaVisibleDevicesReordered() {
        assertEquals(Optional.of(List.of(H100, A10)), withoutDriver("1,0", CudaDeviceOrder.PCI_BUS_ID));
    }

    @Test
    void cudaVisibleDevicesByUuidReadFromNvml() {
        assertEquals(
                Optional.of(List.of(H100, A10)),
                withoutDriver(H100_UUID + "," + A10_UUID, CudaDeviceOrder.FASTEST_FIRST));
        assertEquals(Optional.of(List.of(H100)), withoutDriver("GPU-b100", CudaDeviceOrder.FASTEST_FIRST));
    }

    @Test
    void cudaVisibleDevicesOutOfRangeEndsTheList() {
        assertEquals(Optional.of(List.of(H100)), withoutDriver("1,2,0", CudaDeviceOrder.PCI_BUS_ID));
        assertEquals(Optional.of(List.of()), withoutDriver("2", CudaDeviceOrder.PCI_BUS_ID));
        assertEquals(OptionalLong.empty(), GpuProbe.usedBytes(nvml, List.of(H100), 1));
    }

    @Test
    void aMigInstanceIsLeftToCudaEvenThoughTheDriverReportsItsParentsBusId() {
        FakeGpus.setCudaVisible(H100);

        assertEquals(Optional.empty(), throughDriver("MIG-4b1c6f2a-0d7e-5a3b-9c8d-112233445566"));
        assertEquals(
                Optional.empty(),
                withoutDriver("MIG-GPU-b100b100-0000-4000-8000-000000000065/1/0", CudaDeviceOrder.PCI_BUS_ID));
    }

    @Test
    void theGpuMemoryBudgetIsDerivedFromTheMappedGpu() {
        FakeGpus.setUsed(H100, 10 * GIB);
        List<GpuInfo> gpus = GpuProbe.list(nvml, throughDriver(null).orElseThrow());
        HardwareSnapshot hw =
                new HardwareSnapshot("test CPU", 8, 16, 64 * GIB, 32 * GIB, -1, GIB, gpus, "PyTorch 2.7.1", 8, 8, -1);

        MemoryBudget budget = MemoryBudget.of(hw, Device.gpu(0), 0.8);

        // 10 GiB in use plus 80% of the H100's 70 GiB free; the A10 would give under 24 GiB.
        assertEquals(10 * GIB + (long) Math.floor(0.8 * 70 * GIB), budget.bytes());
        assertTrue(budget.basis().contains("NVIDIA H100 80GB HBM3"), budget.basis());
    }

    @Test
    void theProbeOfThisProcessListsTheGpusInCudasOrder() {
        // CUDA_VISIBLE_DEVICES is read from the environment here; the stand-in CUDA driver ignores it.
        assertEquals(
                List.of("NVIDIA H100 80GB HBM3", "NVIDIA A10"),
                GpuProbe.gpus().stream().map(GpuInfo::name).toList());
        FakeGpus.setUsed(A10, 3 * GIB);
        assertEquals(OptionalLong.of(3 * GIB), new GpuMemoryProbe().usedBytes(Device.gpu(1)));
        assertEquals(OptionalLong.of(H100_INITIAL_USED), new GpuMemoryProbe().usedBytes(Device.gpu(0)));
    }

    @Test
    void aTrialsDevicePeakLeavesOutAnotherProcessThatAllocatedMeanwhile() {
        long self = ProcessHandle.current().pid();
        // Before the trial: this process holds 1,200 MiB on gpu(0), the H100; 1,500 MiB in use in all.
        FakeGpus.setProcess(H100, self, 1200 * MIB);
        FakeGpus.setUsed(H100, 1500 * MIB);
        PeakMemoryMeter meter = PeakMemoryMeter.forDevice(Device.gpu(0), new GpuMemoryProbe());

        assertEquals(1500 * MIB, meter.start());
        // The steps take 3,000 MiB more; another process takes 20 GiB meanwhile.
        FakeGpus.setProcess(H100, self, 4200 * MIB);
        FakeGpus.setProcess(H100, 4_000_001, 20 * GIB);
        FakeGpus.setUsed(H100, 4500 * MIB + 20 * GIB);

        assertEquals(4500 * MIB, meter.stop());
        assertEquals(MemoryMeasurement.DEVICE_USED, meter.measurement());
    }

    @Test
    void withoutThisProcessListedTheTrialsDevicePeakIsTheDeviceWideReading() {
        // As in a container whose PID namespace hides this process from the driver.
        FakeGpus.setUsed(H100, 1500 * MIB);
        PeakMemoryMeter meter = PeakMemoryMeter.forDevice(Device.gpu(0), new GpuMemoryProbe());

        meter.start();
        FakeGpus.setProcess(H100, 4_000_001, 20 * GIB);
        FakeGpus.setUsed(H100, 4500 * MIB + 20 * GIB);

        assertEquals(4500 * MIB + 20 * GIB, meter.stop());
    }
}
