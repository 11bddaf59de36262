package dev.autobatch.autotune.probe;

import static dev.autobatch.autotune.probe.HandWrittenGpus.bus;
import static dev.autobatch.autotune.probe.HandWrittenGpus.gpu;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CudaToNvmlTest {

    private static final String A10_UUID = "GPU-a10a10a1-0000-4000-8000-000000000017";
    private static final String H100_UUID = "GPU-b100b100-0000-4000-8000-000000000065";
    private static final String L4_UUID = "GPU-b100c4c4-0000-4000-8000-0000000000b3";

    /** NVML's order: A10 at bus 0x17, then H100 at 0x65. CUDA's fastest-first puts the H100 first. */
    private final HandWrittenGpus mixed = HandWrittenGpus.of(
            gpu("NVIDIA A10", A10_UUID, 0x17, 24, 1), gpu("NVIDIA H100 80GB HBM3", H100_UUID, 0x65, 80, 2));

    private final HandWrittenGpus twins = HandWrittenGpus.of(
            gpu("NVIDIA L4", "GPU-11111111-0000-4000-8000-000000000001", 0x01, 24, 1),
            gpu("NVIDIA L4", "GPU-22222222-0000-4000-8000-000000000002", 0x02, 24, 3));

    private static CudaDevices cuda(PciBusId... order) {
        return () -> Optional.of(List.of(order));
    }

    private static Optional<List<Integer>> map(
            GpuManagement nvml, CudaDevices cuda, String visible, CudaDeviceOrder order) {
        return CudaToNvml.map(nvml, cuda, CudaVisibleDevices.parse(visible), order);
    }

    private static Optional<List<Integer>> mapWithoutDriver(GpuManagement nvml, String visible, CudaDeviceOrder order) {
        return map(nvml, CudaDevices.UNKNOWN, visible, order);
    }

    @Test
    void theCudaDriversFastestFirstOrderIsMatchedToNvmlByPciBusId() {
        assertEquals(
                Optional.of(List.of(1, 0)),
                map(mixed, cuda(bus(0x65), bus(0x17)), null, CudaDeviceOrder.FASTEST_FIRST));
    }

    @Test
    void theCudaDriversOrderWinsOverWhatTheEnvironmentSeemsToSay() {
        // The driver applied CUDA_VISIBLE_DEVICES=0 in fastest-first order: its 0 is the H100.
        assertEquals(Optional.of(List.of(1)), map(mixed, cuda(bus(0x65)), "0", CudaDeviceOrder.FASTEST_FIRST));
    }

    @Test
    void aCudaDeviceNvmlDoesNotListLeavesTheAnswerToCuda() {
        assertEquals(Optional.empty(), map(mixed, cuda(bus(0x65), bus(0xb3)), null, CudaDeviceOrder.FASTEST_FIRST));
    }

    @Test
    void anNvmlDeviceWhosePciBusIdCannotBeReadLeavesTheAnswerToCuda() {
        HandWrittenGpus unreadable = HandWrittenGpus.of(
                gpu("NVIDIA A10", A10_UUID, 0x17, 24, 1),
                new HandWrittenGpus.Gpu("NVIDIA H100 80GB HBM3", H100_UUID, null, 80L << 30, 0, java.util.Map.of()));

        assertEquals(Optional.empty(), map(unreadable, cuda(bus(0x17)), null, CudaDeviceOrder.FASTEST_FIRST));
    }

    @Test
    void cudaHidingEveryGpuMapsToNone() {
        assertEquals(Optional.of(List.of()), map(mixed, cuda(), "-1", CudaDeviceOrder.FASTEST_FIRST));
    }

    @Test
    void migInstancesAreNoNvmlDeviceEvenWhereTheDriverAnswers() {
        // A MIG instance reports its parent's PCI bus id: NVML would read the whole GPU's memory.
        assertEquals(
                Optional.empty(),
                map(mixed, cuda(bus(0x65)), "MIG-4b1c6f2a-0d7e-5a3b-9c8d-112233445566", CudaDeviceOrder.FASTEST_FIRST));
    }

    @Test
    void anUnknownNvmlDeviceCountLeavesTheAnswerToCuda() {
        assertEquals(
                Optional.empty(),
                map(mixed.withUnknownCount(), cuda(bus(0x65), bus(0x17)), null, CudaDeviceOrder.FASTEST_FIRST));
    }

    @Test
    void withoutTheDriverMixedModelsInTheDefaultOrderAreNotGuessed() {
        assertEquals(Optional.empty(), mapWithoutDriver(mixed, null, CudaDeviceOrder.FASTEST_FIRST));
        assertEquals(Optional.empty(), mapWithoutDriver(mixed, "0", CudaDeviceOrder.FASTEST_FIRST));
        assertEquals(Optional.empty(), mapWithoutDriver(mixed, "1," + H100_UUID, CudaDeviceOrder.FASTEST_FIRST));
    }

    @Test
    void withoutTheDriverPciBusIdOrderMakesIndexesNvmlsOwn() {
        assertEquals(Optional.of(List.of(0, 1)), mapWithoutDriver(mixed, null, CudaDeviceOrder.PCI_BUS_ID));
        assertEquals(Optional.of(List.of(1)), mapWithoutDriver(mixed, "1", CudaDeviceOrder.PCI_BUS_ID));
    }

    @Test
    void withoutTheDriverIndexesAreReorderedAsListed() {
        assertEquals(Optional.of(List.of(1, 0)), mapWithoutDriver(mixed, "1,0", CudaDeviceOrder.PCI_BUS_ID));
        assertEquals(Optional.of(List.of(1, 0)), mapWithoutDriver(twins, "1, 0", CudaDeviceOrder.FASTEST_FIRST));
    }

    @Test
    void withoutTheDriverGpusOfOneModelNeedNoOrderToBeRequested() {
        assertEquals(Optional.of(List.of(0, 1)), mapWithoutDriver(twins, null, CudaDeviceOrder.FASTEST_FIRST));
    }

    @Test
    void withoutTheDriverUuidsNameGpusExactlyWhateverTheOrder() {
        assertEquals(
                Optional.of(List.of(1, 0)),
                mapWithoutDriver(mixed, H100_UUID + "," + A10_UUID, CudaDeviceOrder.FASTEST_FIRST));
    }

    @Test
    void aUniqueUuidPrefixNamesItsGpuAsCudaAcceptsIt() {
        assertEquals(Optional.of(List.of(1)), mapWithoutDriver(mixed, "GPU-b100", CudaDeviceOrder.FASTEST_FIRST));
    }

    @Test
    void anAmbiguousOrUnknownUuidEndsTheListAsCudaDoes() {
        HandWrittenGpus three = HandWrittenGpus.of(
                gpu("NVIDIA A10", A10_UUID, 0x17, 24, 1),
                gpu("NVIDIA H100 80GB HBM3", H100_UUID, 0x65, 80, 2),
                gpu("NVIDIA L4", L4_UUID, 0xb3, 24, 0));

        assertEquals(
                Optional.of(List.of(0)),
                mapWithoutDriver(three, A10_UUID + ",GPU-b100," + L4_UUID, CudaDeviceOrder.FASTEST_FIRST));
        assertEquals(
                Optional.of(List.of(2)),
                mapWithoutDriver(three, L4_UUID + ",GPU-ffffffff", CudaDeviceOrder.FASTEST_FIRST));
    }

    @Test
    void anIndexOutOfRangeEndsTheListAsCudaDoes() {
        assertEquals(Optional.of(List.of(1)), mapWithoutDriver(twins, "1,2,0", CudaDeviceOrder.FASTEST_FIRST));
        assertEquals(Optional.of(List.of()), mapWithoutDriver(twins, "7", CudaDeviceOrder.FASTEST_FIRST));
    }

    @Test
    void aGpuNamedTwiceLeavesTheAnswerToCuda() {
        assertEquals(Optional.empty(), mapWithoutDriver(twins, "0,GPU-11111111", CudaDeviceOrder.FASTEST_FIRST));
    }

    @Test
    void aUuidThatCannotBeReadLeavesTheAnswerToCudaRatherThanMissAPrefixMatch() {
        HandWrittenGpus unreadable = HandWrittenGpus.of(
                gpu("NVIDIA L4", null, 0x01, 24, 1),
                gpu("NVIDIA L4", "GPU-22222222-0000-4000-8000-000000000002", 0x02, 24, 3));

        assertEquals(Optional.empty(), mapWithoutDriver(unreadable, "GPU-2", CudaDeviceOrder.FASTEST_FIRST));
    }

    @Test
    void unreadableNamesAreNotTakenForOneModel() {
        HandWrittenGpus nameless =
                HandWrittenGpus.of(gpu(null, A10_UUID, 0x17, 24, 1), gpu(null, H100_UUID, 0x65, 80, 2));

        assertEquals(Optional.empty(), mapWithoutDriver(nameless, null, CudaDeviceOrder.FASTEST_FIRST));
    }

    @Test
    void oneGpuNeedsNoOrder() {
        HandWrittenGpus one = HandWrittenGpus.of(gpu("NVIDIA A10", A10_UUID, 0x17, 24, 1));

        assertEquals(Optional.of(List.of(0)), mapWithoutDriver(one, null, CudaDeviceOrder.FASTEST_FIRST));
    }

    @Test
    void cudaDeviceOrderIsPciOnlyWhenSpelledAsCudaSpellsIt() {
        assertEquals(CudaDeviceOrder.PCI_BUS_ID, CudaDeviceOrder.parse("PCI_BUS_ID"));
        assertEquals(CudaDeviceOrder.PCI_BUS_ID, CudaDeviceOrder.parse(" PCI_BUS_ID "));
        assertEquals(CudaDeviceOrder.FASTEST_FIRST, CudaDeviceOrder.parse(null));
        assertEquals(CudaDeviceOrder.FASTEST_FIRST, CudaDeviceOrder.parse("FASTEST_FIRST"));
        assertEquals(CudaDeviceOrder.FASTEST_FIRST, CudaDeviceOrder.parse("pci_bus_id"));
    }

    @Test
    void pciBusIdsParseAlikeFromNvmlsAndCudasSpelling() {
        PciBusId h100 = new PciBusId(0, 0x65, 0);

        assertEquals(Optional.of(h100), PciBusId.parse("00000000:65:00.0"));
        assertEquals(Optional.of(h100), PciBusId.parse("0000:65:00.0"));
        assertEquals(Optional.of(new PciBusId(1, 0x3b, 2)), PciBusId.parse("0001:3B:02.0"));
        assertEquals(Optional.of(h100), PciBusId.parse("65:00"));
        assertEquals("0000:65:00.0", h100.toString());
        assertEquals(Optional.empty(), PciBusId.parse("GPU-65"));
        assertEquals(Optional.empty(), PciBusId.parse(""));
        assertEquals(Optional.empty(), PciBusId.parse(null));
    }
}
