package dev.autobatch.autotune.budget;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.Device;
import dev.autobatch.autotune.probe.GpuInfo;
import dev.autobatch.autotune.probe.HardwareProbe;
import dev.autobatch.autotune.probe.HardwareSnapshot;
import java.util.List;
import org.junit.jupiter.api.Test;

class MemoryBudgetTest {

    private static final long GIB = 1L << 30;
    private static final long MIB = 1L << 20;

    @Test
    void hostBudgetCoversThisProcesssResidentMemoryPlusWhatIsAvailable() {
        MemoryBudget budget = MemoryBudget.of(host(20 * GIB, -1), Device.cpu(), 0.5, GIB);

        assertEquals(21 * GIB / 2, budget.bytes());
        assertEquals(
                "50% of 21.0 GiB: available host memory 20.0 GiB plus this process's resident 1.0 GiB"
                        + " (container limit: none)",
                budget.basis());
    }

    @Test
    void aContainerLimitBelowTheHostsMemoryCapsTheBudget() {
        MemoryBudget budget = MemoryBudget.of(host(20 * GIB, 8 * GIB), Device.cpu(), 0.8, GIB);

        assertEquals((long) Math.floor(0.8 * 8 * GIB), budget.bytes());
        assertEquals(
                "80% of the 8.0 GiB container limit (available host memory 20.0 GiB plus this process's"
                        + " resident 1.0 GiB is 21.0 GiB)",
                budget.basis());
    }

    @Test
    void aContainerLimitAboveTheHostsMemoryDoesNotBind() {
        MemoryBudget budget = MemoryBudget.of(host(6 * GIB, 16 * GIB), Device.cpu(), 1.0, 2 * GIB);

        assertEquals(8 * GIB, budget.bytes());
        assertTrue(budget.basis().endsWith("(container limit 16.0 GiB)"), budget.basis());
    }

    @Test
    void withoutAvailableMemoryTheContainerLimitIsTheBasis() {
        MemoryBudget budget = MemoryBudget.of(host(-1, 4 * GIB), Device.cpu(), 0.5, GIB);

        assertEquals(2 * GIB, budget.bytes());
        assertEquals("50% of the 4.0 GiB container limit (available host memory unknown)", budget.basis());
    }

    @Test
    void anUnknownResidentSizeIsNotAdded() {
        MemoryBudget budget = MemoryBudget.of(host(10 * GIB, -1), Device.cpu(), 0.75, -1);

        assertEquals((long) (0.75 * 10 * GIB), budget.bytes());
        assertTrue(budget.basis().contains("resident memory unknown, not added"), budget.basis());
    }

    @Test
    void aSharedContainerLeavesItsLimitLessWhatTheGroupUsesPlusWhatThisProcessHolds() {
        // The measured case: a 1,200 MiB group that a 520 MiB neighbour shares with this 400 MiB JVM.
        MemoryBudget budget = MemoryBudget.of(container(20 * GIB, 1200 * MIB, 920 * MIB), Device.cpu(), 0.8, 400 * MIB);

        assertEquals(680 * MIB, budget.roomBytes());
        assertEquals((long) Math.floor(0.8 * 680 * MIB), budget.bytes());
        assertEquals(
                "80% of 680.0 MiB free to this process: the 1.2 GiB container limit less the 920.0 MiB its group"
                        + " uses, plus this process's resident 400.0 MiB (available host memory 20.0 GiB plus this"
                        + " process's resident 400.0 MiB is 20.4 GiB)",
                budget.basis());
    }

    @Test
    void theHostsRoomBindsWhereItIsSmallerThanTheContainers() {
        MemoryBudget budget = MemoryBudget.of(container(GIB, 8 * GIB, 2 * GIB), Device.cpu(), 0.5, GIB);

        assertEquals(2 * GIB, budget.roomBytes());
        assertEquals(GIB, budget.bytes());
        assertTrue(budget.basis().startsWith("50% of 2.0 GiB: available host memory 1.0 GiB plus"), budget.basis());
        assertTrue(budget.basis().contains("(container: the 8.0 GiB container limit less the 2.0 GiB"), budget.basis());
    }

    @Test
    void aGroupAlreadyAtItsLimitLeavesOnlyWhatThisProcessHolds() {
        MemoryBudget budget = MemoryBudget.of(container(20 * GIB, GIB, GIB), Device.cpu(), 1.0, 300 * MIB);

        assertEquals(300 * MIB, budget.bytes());
    }

    @Test
    void aGivenBudgetAboveTheRoomGivesWayToTheDefaultShareOfIt() {
        HardwareSnapshot hw = container(20 * GIB, 900 * MIB, 400 * MIB);

        MemoryBudget budget = MemoryBudget.ofBytes(2 * GIB, hw, Device.cpu(), 300 * MIB);

        assertEquals(800 * MIB, budget.roomBytes());
        assertEquals((long) Math.floor(0.8 * 800 * MIB), budget.bytes());
        assertTrue(budget.isCapped(2 * GIB));
        assertTrue(
                budget.basis()
                        .startsWith("given 2.0 GiB, more than the 800.0 MiB free to this process, so the"
                                + " default: 80% of 800.0 MiB free to this process: the 900.0 MiB container limit less the 400.0 MiB"
                                + " its group uses"),
                budget.basis());
    }

    @Test
    void aGivenBudgetJustWithinTheRoomIsTheUsersToKeep() {
        HardwareSnapshot hw = container(20 * GIB, 900 * MIB, 400 * MIB);

        MemoryBudget budget = MemoryBudget.ofBytes(790 * MIB, hw, Device.cpu(), 300 * MIB);

        assertEquals(790 * MIB, budget.bytes());
        assertTrue(!budget.isCapped(790 * MIB));
    }

    @Test
    void aGivenBudgetWithinTheRoomIsKeptAndSaysHowMuchRoomThereIs() {
        MemoryBudget budget = MemoryBudget.ofBytes(GIB, host(20 * GIB, -1), Device.cpu(), GIB);

        assertEquals(GIB, budget.bytes());
        assertEquals(21 * GIB, budget.roomBytes());
        assertTrue(!budget.isCapped(GIB));
        assertTrue(budget.basis().startsWith("given: 1.0 GiB (of 21.0 GiB free to this process"), budget.basis());
    }

    @Test
    void aGivenBudgetWithoutAnyReadingIsTakenAsGiven() {
        MemoryBudget budget = MemoryBudget.ofBytes(64 * GIB, host(-1, -1), Device.cpu(), -1);

        assertEquals(MemoryBudget.ofBytes(64 * GIB), budget);
        assertEquals(-1, budget.roomBytes());
    }

    @Test
    void aGivenGpuBudgetAboveTheDevicesMemoryGivesWayToTheDefault() {
        HardwareSnapshot hw = gpus(new GpuInfo(0, "NVIDIA H200", 140 * GIB, 100 * GIB, "NVML"));

        MemoryBudget budget = MemoryBudget.ofBytes(500 * GIB, hw, Device.gpu(0), -1);

        assertEquals(40 * GIB + (long) Math.floor(0.8 * 100 * GIB), budget.bytes());
        assertEquals(140 * GIB, budget.roomBytes());
        assertTrue(
                budget.basis()
                        .startsWith("given 500.0 GiB, more than the 140.0 GiB free to this process, so the"
                                + " default: 120.0 GiB device-wide on gpu(0)"),
                budget.basis());
    }

    @Test
    void aHostWithNoReadingAsksForABudgetInBytes() {
        IllegalStateException e =
                assertThrows(IllegalStateException.class, () -> MemoryBudget.of(host(-1, -1), Device.cpu(), 0.8, GIB));

        assertTrue(e.getMessage().contains("cpu()"), e.getMessage());
        assertTrue(e.getMessage().contains("optMemoryBudgetBytes"), e.getMessage());
    }

    @Test
    void gpuBudgetGrantsAFractionOfFreeMemoryOnTopOfWhatIsInUse() {
        HardwareSnapshot hw = gpus(new GpuInfo(0, "NVIDIA H100 80GB HBM3", 80 * GIB, 70 * GIB, "NVML"));

        MemoryBudget budget = MemoryBudget.of(hw, Device.gpu(0), 0.8);

        assertEquals(10 * GIB + (long) Math.floor(0.8 * 70 * GIB), budget.bytes());
        assertEquals(
                "66.0 GiB device-wide on gpu(0) (NVIDIA H100 80GB HBM3, NVML): 10.0 GiB in use on the"
                        + " device (every process) plus 80% of its 70.0 GiB free",
                budget.basis());
    }

    @Test
    void theGpuIsFoundByItsIndex() {
        HardwareSnapshot hw =
                gpus(new GpuInfo(0, "A", 16 * GIB, 16 * GIB, "NVML"), new GpuInfo(1, "B", 32 * GIB, 32 * GIB, "NVML"));

        assertEquals(16 * GIB, MemoryBudget.of(hw, Device.gpu(1), 0.5).bytes());
    }

    @Test
    void aMissingGpuAsksForABudgetInBytes() {
        IllegalStateException none =
                assertThrows(IllegalStateException.class, () -> MemoryBudget.of(gpus(), Device.gpu(0), 0.8));
        IllegalStateException other = assertThrows(
                IllegalStateException.class,
                () -> MemoryBudget.of(gpus(new GpuInfo(0, "A", GIB, GIB, "NVML")), Device.gpu(3), 0.8));

        assertTrue(none.getMessage().contains("found no GPU"), none.getMessage());
        assertTrue(other.getMessage().contains("none with index 3"), other.getMessage());
        assertTrue(other.getMessage().contains("optMemoryBudgetBytes"), other.getMessage());
    }

    @Test
    void aGpuWithUnknownFreeMemoryAsksForABudgetInBytes() {
        HardwareSnapshot hw = gpus(new GpuInfo(0, "unknown", -1, -1, "CUDA"));

        IllegalStateException e =
                assertThrows(IllegalStateException.class, () -> MemoryBudget.of(hw, Device.gpu(0), 0.8));

        assertTrue(e.getMessage().contains("could not be read through CUDA"), e.getMessage());
        assertTrue(e.getMessage().contains("optMemoryBudgetBytes"), e.getMessage());
    }

    @Test
    void aDeviceNeitherCpuNorGpuAsksForABudgetInBytes() {
        IllegalStateException e = assertThrows(
                IllegalStateException.class, () -> MemoryBudget.of(host(GIB, -1), Device.of("mps", 0), 0.8));

        assertTrue(e.getMessage().contains("optMemoryBudgetBytes"), e.getMessage());
    }

    @Test
    void theFractionMustBeAboveZeroAndAtMostOne() {
        HardwareSnapshot hw = host(GIB, -1);
        for (double bad : new double[] {0, -0.5, 1.5, Double.NaN}) {
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> MemoryBudget.of(hw, Device.cpu(), bad));
            assertTrue(e.getMessage().contains("got " + bad), e.getMessage());
            assertTrue(e.getMessage().contains("(0, 1]"), e.getMessage());
        }
        assertEquals(GIB, MemoryBudget.of(hw, Device.cpu(), 1.0, 0).bytes());
    }

    @Test
    void aBudgetInBytesIsGiven() {
        MemoryBudget budget = MemoryBudget.ofBytes(8 * GIB);

        assertEquals(8 * GIB, budget.bytes());
        assertEquals("given: 8.0 GiB", budget.basis());
    }

    @Test
    void aBudgetMustBePositive() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MemoryBudget.ofBytes(0));

        assertTrue(e.getMessage().contains("got 0 bytes"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new MemoryBudget(-5, "given"));
        assertThrows(IllegalArgumentException.class, () -> new MemoryBudget(5, " "));
    }

    @Test
    void thisMachinesHostBudgetIsPositiveAndWithinWhatIsThere() {
        HardwareSnapshot hw = HardwareProbe.snapshot();

        MemoryBudget budget = MemoryBudget.of(hw, Device.cpu(), 0.8);

        assertTrue(budget.bytes() > 0, budget.toString());
        if (hw.totalMemoryBytes() > 0) {
            assertTrue(budget.bytes() <= hw.totalMemoryBytes(), budget + " on " + hw.describe());
        }
        if (hw.containerLimitBytes() > 0) {
            assertTrue(budget.bytes() <= hw.containerLimitBytes(), budget + " on " + hw.describe());
        }
        assertTrue(budget.roomBytes() >= budget.bytes(), budget.toString());
    }

    @Test
    void thisMachinesGpuBudgetIsWithinTheGpu() {
        HardwareSnapshot hw = HardwareProbe.snapshot();
        assumeTrue(!hw.gpus().isEmpty(), "no GPU here");
        GpuInfo gpu = hw.gpus().get(0);
        assumeTrue(gpu.freeBytes() >= 0, "the GPU's memory is unreadable here");

        MemoryBudget budget = MemoryBudget.of(hw, Device.gpu(0), 0.8);

        assertTrue(budget.bytes() > 0 && budget.bytes() <= gpu.totalBytes(), budget + " on " + gpu);
    }

    private static HardwareSnapshot host(long available, long containerLimit) {
        return new HardwareSnapshot(
                "test CPU", 4, 8, 64 * GIB, available, containerLimit, GIB, List.of(), "PyTorch", -1, -1, -1);
    }

    private static HardwareSnapshot container(long available, long limit, long used) {
        return new HardwareSnapshot(
                "test CPU", 4, 8, 64 * GIB, available, limit, GIB, List.of(), "PyTorch", -1, -1, used);
    }

    private static HardwareSnapshot gpus(GpuInfo... gpus) {
        return new HardwareSnapshot(
                "test CPU", 4, 8, 64 * GIB, 32 * GIB, -1, GIB, List.of(gpus), "PyTorch", -1, -1, -1);
    }
}
