package dev.autobatch.autotune.probe;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A machine's GPUs written by hand, in NVML's (PCI bus) order, for tests of the mapping and the
 * listing that no real machine here has: mixed models, unreadable fields, unknown counts.
 */
final class HandWrittenGpus implements GpuManagement {

    static final long GIB = 1L << 30;

    /** One GPU; {@code null} fields cannot be read. */
    record Gpu(String name, String uuid, PciBusId pci, long total, long used, Map<Long, Long> processes) {}

    private final List<Gpu> gpus = new ArrayList<>();
    private int count = -2;

    static HandWrittenGpus of(Gpu... gpus) {
        HandWrittenGpus machine = new HandWrittenGpus();
        machine.gpus.addAll(List.of(gpus));
        return machine;
    }

    static Gpu gpu(String name, String uuid, int bus, long totalGib, long usedGib) {
        return new Gpu(name, uuid, new PciBusId(0, bus, 0), totalGib * GIB, usedGib * GIB, new HashMap<>());
    }

    static PciBusId bus(int bus) {
        return new PciBusId(0, bus, 0);
    }

    /** Makes the device count unreadable ({@code -1}), as NVML that initialised but then failed. */
    HandWrittenGpus withUnknownCount() {
        count = -1;
        return this;
    }

    @Override
    public int deviceCount() {
        return count == -2 ? gpus.size() : count;
    }

    @Override
    public String name(int index) {
        return at(index).map(Gpu::name).filter(n -> n != null).orElse("unknown");
    }

    @Override
    public Optional<String> uuid(int index) {
        return at(index).map(Gpu::uuid);
    }

    @Override
    public Optional<PciBusId> pciBusId(int index) {
        return at(index).map(Gpu::pci);
    }

    @Override
    public Optional<Memory> memory(int index) {
        return at(index).filter(g -> g.total() > 0).map(g -> new Memory(g.total(), g.total() - g.used()));
    }

    @Override
    public OptionalLong processUsedBytes(int index, long pid) {
        Long used = at(index).map(g -> g.processes().get(pid)).orElse(null);
        return used == null ? OptionalLong.empty() : OptionalLong.of(used);
    }

    private Optional<Gpu> at(int index) {
        return index >= 0 && index < gpus.size() ? Optional.of(gpus.get(index)) : Optional.empty();
    }
}
