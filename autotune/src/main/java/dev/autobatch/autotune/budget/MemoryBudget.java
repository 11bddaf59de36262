package dev.autobatch.autotune.budget;

import ai.djl.Device;
import dev.autobatch.autotune.probe.GpuInfo;
import dev.autobatch.autotune.probe.HardwareProbe;
import dev.autobatch.autotune.probe.HardwareSnapshot;
import dev.autobatch.autotune.report.Bytes;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * The memory a tuning lets one trial's peak reach, and how it was chosen.
 *
 * <p>The budget is on the same quantity {@code core} measures as a trial's peak ({@code
 * Trial.peakMemoryBytes()}), which is absolute, not what the trial adds:
 *
 * <ul>
 *   <li>On the CPU, the peak resident memory of this whole process ({@code VmHWM}). The memory
 *       free to this process (its room) is what it holds now plus what it could still take: on a
 *       host, the available memory plus its resident set; in a container, the cgroup's limit less
 *       what the whole group uses now (every process in it, reclaimable page cache not counted)
 *       plus its resident set, and the smaller of the two where both are known. The kernel kills
 *       a process of a group that reaches its limit, whichever process asked, so another process
 *       sharing the container leaves this one less room. The budget is {@code fraction × room}.
 *   <li>On a GPU, the memory in use on the whole device, by every process. Which part of the
 *       used memory is this process's cannot be told apart without per-process queries, so the
 *       budget grants a fraction of the free memory only, on top of what is in use already:
 *       {@code (total - free) + fraction × free}; the room is the device's total memory.
 * </ul>
 *
 * <p>A budget given in bytes that is more than the room, where the room is known, is replaced by
 * the default budget, {@value #DEFAULT_FRACTION} of the room: a budget above what the process can
 * get would let the search plan trials that the kernel's out-of-memory killer ends, JVM and all.
 * Not the whole room: measured in a 900 MiB container, a budget of all of it let the largest-fit
 * search reach a trial peak of 876 MiB, and training at that size afterwards was killed. A given
 * budget within the room is the user's to keep.
 *
 * @param bytes the budget in bytes, positive
 * @param basis how it was chosen, a phrase for people, such as {@code "80% of 21.3 GiB: available
 *     host memory 21.0 GiB plus this process's resident 312.0 MiB (container limit: none)"}
 * @param roomBytes the memory free to this process that the budget was derived from or capped
 *     at, or {@code -1} where it is not known (a budget given without a hardware reading)
 */
public record MemoryBudget(long bytes, String basis, long roomBytes) {

    /**
     * The share of the room a budget takes unless told otherwise (the default of {@code
     * TuneOptions.optMemoryBudget}); also what replaces a given budget above the room.
     */
    public static final double DEFAULT_FRACTION = 0.8;

    private static final String GIVE_BYTES =
            "Give a budget in bytes with TuneOptions.builder().optMemoryBudgetBytes(bytes).";

    /**
     * Validates the components.
     *
     * @throws IllegalArgumentException if {@code bytes} is not positive or {@code basis} is blank
     */
    public MemoryBudget {
        if (bytes <= 0) {
            throw new IllegalArgumentException(
                    "memory budget must be positive, got " + bytes + " bytes; give a budget above zero");
        }
        Objects.requireNonNull(basis, "basis");
        if (basis.isBlank()) {
            throw new IllegalArgumentException("memory budget basis must say how it was chosen, got a blank one");
        }
        roomBytes = Math.max(-1, roomBytes);
    }

    /**
     * A budget whose room is not known.
     *
     * @param bytes the budget in bytes, positive
     * @param basis how it was chosen
     */
    public MemoryBudget(long bytes, String basis) {
        this(bytes, basis, -1);
    }

    /**
     * A budget the user gave in bytes, taken as given: no hardware is read.
     *
     * @param bytes the budget, positive
     * @return the budget, its basis {@code "given: 8.0 GiB"}
     * @throws IllegalArgumentException if {@code bytes} is not positive
     */
    public static MemoryBudget ofBytes(long bytes) {
        checkPositive(bytes);
        return new MemoryBudget(bytes, "given: " + Bytes.format(bytes));
    }

    /**
     * A budget the user gave in bytes, checked against the room of the device that trains (see
     * the type's documentation) where the snapshot tells it; on the CPU it reads this process's
     * resident memory now.
     *
     * @param bytes the budget, positive
     * @param hw the machine, from {@link HardwareProbe}
     * @param device the device that trains
     * @return the budget: the bytes given, or where they are more than the room the default
     *     budget, {@value #DEFAULT_FRACTION} of it (then {@link #isCapped(long)} is true and the
     *     basis names both figures)
     * @throws IllegalArgumentException if {@code bytes} is not positive
     */
    public static MemoryBudget ofBytes(long bytes, HardwareSnapshot hw, Device device) {
        boolean cpu = Objects.requireNonNull(device, "device").getDeviceType().equals(Device.Type.CPU);
        return ofBytes(bytes, hw, device, cpu ? HardwareProbe.processResidentBytes() : -1);
    }

    /**
     * Caps a given budget as {@link #ofBytes(long, HardwareSnapshot, Device)} does, with this
     * process's resident memory given.
     *
     * @param bytes the budget, positive
     * @param hw the machine
     * @param device the device that trains
     * @param processResidentBytes the process's resident memory now, or {@code -1} if unknown;
     *     ignored for a GPU
     * @return the budget
     */
    static MemoryBudget ofBytes(long bytes, HardwareSnapshot hw, Device device, long processResidentBytes) {
        checkPositive(bytes);
        Room room = Room.of(
                Objects.requireNonNull(hw, "hw"), Objects.requireNonNull(device, "device"), processResidentBytes);
        if (room == null) {
            return ofBytes(bytes);
        }
        if (bytes > room.bytes()) {
            MemoryBudget fallback = of(hw, device, DEFAULT_FRACTION, processResidentBytes);
            return new MemoryBudget(
                    fallback.bytes(),
                    "given " + Bytes.format(bytes) + ", more than the " + Bytes.format(room.bytes())
                            + " free to this process, so the default: " + fallback.basis(),
                    room.bytes());
        }
        return new MemoryBudget(
                bytes,
                "given: " + Bytes.format(bytes) + " (of " + Bytes.format(room.bytes()) + " free to this process: "
                        + room.description() + ")",
                room.bytes());
    }

    /**
     * Returns whether this budget is below what was asked for, because the room was smaller.
     *
     * @param askedBytes the budget asked for
     * @return {@code true} if {@link #bytes()} is less than {@code askedBytes}
     */
    public boolean isCapped(long askedBytes) {
        return bytes < askedBytes;
    }

    /**
     * Derives the budget of the device that trains from a snapshot, as the type's documentation
     * describes; on the CPU it reads this process's resident memory now.
     *
     * @param hw the machine, from {@link HardwareProbe}
     * @param device the device that trains: the CPU or a GPU
     * @param fraction the share of the memory to budget, in (0, 1]
     * @return the budget
     * @throws IllegalArgumentException if {@code fraction} is outside (0, 1]
     * @throws IllegalStateException if the snapshot lacks the reading the device needs (host
     *     memory and container limit both unknown; the GPU missing or its free memory unknown), or
     *     the device is neither the CPU nor a GPU: then give a budget in bytes
     */
    public static MemoryBudget of(HardwareSnapshot hw, Device device, double fraction) {
        boolean cpu = Objects.requireNonNull(device, "device").getDeviceType().equals(Device.Type.CPU);
        return of(hw, device, fraction, cpu ? HardwareProbe.processResidentBytes() : -1);
    }

    /**
     * Derives the budget as {@link #of(HardwareSnapshot, Device, double)} does, with this
     * process's resident memory given.
     *
     * @param hw the machine
     * @param device the device that trains
     * @param fraction the share of the memory to budget, in (0, 1]
     * @param processResidentBytes the process's resident memory now, or {@code -1} if unknown
     *     (then only the available memory counts); ignored for a GPU
     * @return the budget
     */
    static MemoryBudget of(HardwareSnapshot hw, Device device, double fraction, long processResidentBytes) {
        Objects.requireNonNull(hw, "hw");
        Objects.requireNonNull(device, "device");
        if (!(fraction > 0 && fraction <= 1)) {
            throw new IllegalArgumentException(
                    "memory fraction must be in (0, 1], got " + fraction + "; 0.8 is the default");
        }
        if (device.isGpu()) {
            return ofGpu(hw, device, fraction);
        }
        if (!device.getDeviceType().equals(Device.Type.CPU)) {
            throw new IllegalStateException("No memory reading exists for device " + device
                    + ": only the CPU and GPUs are probed. " + GIVE_BYTES);
        }
        Room room = Room.ofHost(hw, processResidentBytes);
        if (room == null) {
            throw new IllegalStateException(
                    "The memory budget for cpu() cannot be derived: neither the available host memory "
                            + "nor a container memory limit could be read. "
                            + GIVE_BYTES);
        }
        return new MemoryBudget(share(fraction, room.bytes()), percent(fraction) + " of " + room.basis(), room.bytes());
    }

    private static MemoryBudget ofGpu(HardwareSnapshot hw, Device device, double fraction) {
        GpuInfo gpu = gpu(hw, device)
                .orElseThrow(() -> new IllegalStateException(
                        "The memory budget for " + device + " cannot be derived: the hardware probe found "
                                + (hw.gpus().isEmpty()
                                        ? "no GPU"
                                        : hw.gpus().size() + " GPU(s), none with index " + device.getDeviceId())
                                + ". " + GIVE_BYTES));
        if (gpu.freeBytes() < 0) {
            throw new IllegalStateException(
                    "The memory budget for " + device + " cannot be derived: the free memory of " + gpu.name()
                            + " could not be read through " + gpu.source() + ". " + GIVE_BYTES);
        }
        long free = gpu.freeBytes();
        long inUse = gpu.totalBytes() >= free ? gpu.totalBytes() - free : 0;
        long bytes = inUse + share(fraction, free);
        String usedPart = gpu.totalBytes() >= free
                ? Bytes.format(inUse) + " in use on the device (every process)"
                : "memory in use unknown, counted as none";
        return new MemoryBudget(
                bytes,
                Bytes.format(bytes) + " device-wide on " + device + " (" + gpu.name() + ", " + gpu.source() + "): "
                        + usedPart + " plus " + percent(fraction) + " of its " + Bytes.format(free) + " free",
                gpu.totalBytes());
    }

    private static Optional<GpuInfo> gpu(HardwareSnapshot hw, Device device) {
        return hw.gpus().stream().filter(g -> g.index() == device.getDeviceId()).findFirst();
    }

    private static void checkPositive(long bytes) {
        if (bytes <= 0) {
            throw new IllegalArgumentException(
                    "memory budget must be positive, got " + bytes + " bytes; give a budget above zero");
        }
    }

    private static long share(double fraction, long bytes) {
        return Math.max(1, (long) Math.floor(fraction * bytes));
    }

    private static String percent(double fraction) {
        String text = String.format(Locale.ROOT, "%.1f", fraction * 100);
        return (text.endsWith(".0") ? text.substring(0, text.length() - 2) : text) + "%";
    }

    /**
     * The memory free to this process on the device that trains, and how it was found.
     *
     * @param bytes the room, positive
     * @param basis the room's figure and derivation, for a budget's basis: {@code "21.3 GiB:
     *     available host memory ..."} or {@code "the 8.0 GiB container limit (...)"}
     * @param description how the room was found, without its figure
     */
    private record Room(long bytes, String basis, String description) {

        /** The room on the device, or {@code null} where the snapshot does not tell it. */
        static Room of(HardwareSnapshot hw, Device device, long processResidentBytes) {
            if (device.isGpu()) {
                return gpu(hw, device)
                        .filter(gpu -> gpu.totalBytes() > 0)
                        .map(gpu -> new Room(
                                gpu.totalBytes(),
                                Bytes.format(gpu.totalBytes()),
                                "the memory of " + device + " (" + gpu.name() + ")"))
                        .orElse(null);
            }
            return device.getDeviceType().equals(Device.Type.CPU) ? ofHost(hw, processResidentBytes) : null;
        }

        /** The smaller of the host's room and the container's, or {@code null} if neither is known. */
        static Room ofHost(HardwareSnapshot hw, long processResidentBytes) {
            long available = hw.availableMemoryBytes();
            long resident = processResidentBytes >= 0 ? processResidentBytes : -1;
            String residentText = "this process's resident " + Bytes.format(resident);
            String hostPart;
            long host;
            if (available < 0) {
                host = -1;
                hostPart = "available host memory unknown";
            } else if (resident < 0) {
                host = available;
                hostPart = "available host memory " + Bytes.format(available)
                        + " (this process's resident memory unknown, not added)";
            } else {
                host = available + resident;
                hostPart = "available host memory " + Bytes.format(available) + " plus " + residentText;
            }
            String hostSum = host < 0 || resident < 0 ? hostPart : hostPart + " is " + Bytes.format(host);

            long limit = hw.containerLimitBytes();
            long used = hw.containerUsedBytes();
            if (limit > 0 && used >= 0) {
                // The group's usage counts this process's resident memory too: add it back, as the
                // process may reuse what it holds.
                long container = Math.max(0, Math.min(limit, limit - used + Math.max(0, resident)));
                String containerPart = "the " + Bytes.format(limit) + " container limit less the "
                        + Bytes.format(used) + " its group uses"
                        + (resident >= 0 ? ", plus " + residentText : " (this process's resident memory unknown)");
                if (host < 0 || container <= host) {
                    if (container <= 0) {
                        return null;
                    }
                    String text = containerPart + " (" + hostSum + ")";
                    return new Room(container, Bytes.format(container) + " free to this process: " + text, text);
                }
                String text = hostPart + " (container: " + containerPart + ", " + Bytes.format(container) + ")";
                return new Room(host, Bytes.format(host) + ": " + text, text);
            }
            if (limit > 0 && (host < 0 || limit <= host)) {
                String text = "the container limit, its group's usage unknown (" + hostSum + ")";
                return new Room(limit, "the " + Bytes.format(limit) + " container limit (" + hostSum + ")", text);
            }
            if (host <= 0) {
                return null;
            }
            String limitPart = limit > 0 ? "container limit " + Bytes.format(limit) : "container limit: none";
            String text = hostPart + " (" + limitPart + ")";
            return new Room(host, Bytes.format(host) + ": " + text, text);
        }
    }
}
