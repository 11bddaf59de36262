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

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The real JNA binding to NVML ({@link Nvml}), and to the CUDA driver, against the stand-ins. */
class FakeGpuNvmlTest {

    private Nvml nvml;

    @BeforeEach
    void resetTheStandIns() {
        FakeGpus.reset();
        nvml = FakeGpus.nvml();
    }

    @Test
    void nvmlCountsBothGpusOfTheMachine() {
        assertEquals(2, nvml.deviceCount());
    }

    @Test
    void namesAreReadInNvmlsPciOrder() {
        assertEquals("NVIDIA A10", nvml.name(A10));
        assertEquals("NVIDIA H100 80GB HBM3", nvml.name(H100));
        assertEquals("unknown", nvml.name(2));
        assertEquals("unknown", nvml.name(-1));
    }

    @Test
    void uuidsAreRead() {
        assertEquals(Optional.of(A10_UUID), nvml.uuid(A10));
        assertEquals(Optional.of(H100_UUID), nvml.uuid(H100));
        assertEquals(Optional.empty(), nvml.uuid(2));
    }

    @Test
    void pciBusIdsAreReadFromTheNumericFieldsOfNvmlPciInfoV3() {
        assertEquals(Optional.of(new PciBusId(0, 0x17, 0)), nvml.pciBusId(A10));
        assertEquals(Optional.of(new PciBusId(0, 0x65, 0)), nvml.pciBusId(H100));
        assertEquals(Optional.empty(), nvml.pciBusId(2));
    }

    @Test
    void memoryIsTotalAndFreeDeviceWide() {
        assertEquals(Optional.of(new GpuManagement.Memory(24 * GIB, 24 * GIB - A10_INITIAL_USED)), nvml.memory(A10));
        assertEquals(Optional.of(new GpuManagement.Memory(80 * GIB, 80 * GIB - H100_INITIAL_USED)), nvml.memory(H100));
        assertEquals(Optional.empty(), nvml.memory(2));
    }

    @Test
    void memoryInUseIsReadAfreshEachTime() {
        FakeGpus.setUsed(H100, 30 * GIB);

        assertEquals(30 * GIB, nvml.memory(H100).orElseThrow().notFree());
        assertEquals(A10_INITIAL_USED, nvml.memory(A10).orElseThrow().notFree());
    }

    @Test
    void thisProcessesMemoryIsFoundAmongOtherProcesses() {
        long self = ProcessHandle.current().pid();
        FakeGpus.setProcess(H100, 4_000_001, 9 * GIB);
        FakeGpus.setProcess(H100, self, 1500 * MIB);
        FakeGpus.setProcess(A10, self, 300 * MIB);

        assertEquals(OptionalLong.of(1500 * MIB), nvml.processUsedBytes(H100, self));
        assertEquals(OptionalLong.of(9 * GIB), nvml.processUsedBytes(H100, 4_000_001));
        assertEquals(OptionalLong.of(300 * MIB), nvml.processUsedBytes(A10, self));
    }

    @Test
    void aProcessNotListedOnTheGpuHasUnknownMemory() {
        FakeGpus.setProcess(H100, 4_000_001, 9 * GIB);

        assertEquals(
                OptionalLong.empty(),
                nvml.processUsedBytes(H100, ProcessHandle.current().pid()));
        assertEquals(
                OptionalLong.empty(),
                nvml.processUsedBytes(A10, ProcessHandle.current().pid()));
    }

    @Test
    void aLongProcessListIsReadWhole() {
        for (int pid = 1; pid <= 7; pid++) {
            FakeGpus.setProcess(H100, 5_000_000 + pid, pid * GIB);
        }
        long self = ProcessHandle.current().pid();
        FakeGpus.setProcess(H100, self, 2 * GIB);

        assertEquals(OptionalLong.of(2 * GIB), nvml.processUsedBytes(H100, self));
        assertEquals(OptionalLong.of(7 * GIB), nvml.processUsedBytes(H100, 5_000_007));
    }

    @Test
    void theCudaDriverListsTheFasterGpuFirst() {
        assertEquals(
                Optional.of(List.of(new PciBusId(0, 0x65, 0), new PciBusId(0, 0x17, 0))),
                CudaDriver.instance().visiblePciBusIds());
    }

    @Test
    void aCudaDriverThatHidesEveryGpuListsNone() {
        FakeGpus.setCudaVisible();

        assertEquals(Optional.of(List.of()), CudaDriver.instance().visiblePciBusIds());
    }
}
