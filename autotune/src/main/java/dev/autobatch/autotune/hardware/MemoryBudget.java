package dev.autobatch.autotune.hardware;

import ai.djl.Device;

import dev.autobatch.autotune.internal.Bytes;

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
 *   <li>On the CPU, the peak resident memory of this whole process ({@code VmHWM}), so the budget
 *       is {@code fraction × min(available host memory + this process's resident memory now,
 *       container limit)}: what the process holds now plus what it could still take, capped by
 *       the cgroup limit when there is one. Other processes in the same container count against
 *       that limit too and are not subtracted.
 *   <li>On a GPU, the memory in use on the whole device, by every process. Which part of the
 *       used memory is this process's cannot be told apart without per-process queries, so the
 *       budget grants a fraction of the free memory only, on top of what is in use already:
 *       {@code (total - free) + fraction × free}.
 * </ul>
 *
 * @param bytes the budget in bytes, positive
 * @param basis how it was chosen, a phrase for people, such as {@code "80% of 21.3 GiB: available
 *     host memory 21.0 GiB plus this process's resident 312.0 MiB (container limit: none)"}
 */
public record MemoryBudget(long bytes, String basis) {

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
    }

    /**
     * A budget the user gave in bytes.
     *
     * @param bytes the budget, positive
     * @return the budget, its basis {@code "given: 8.0 GiB"}
     * @throws IllegalArgumentException if {@code bytes} is not positive
     */
    public static MemoryBudget ofBytes(long bytes) {
        if (bytes <= 0) {
            throw new IllegalArgumentException(
                    "memory budget must be positive, got " + bytes + " bytes; give a budget above zero");
        }
        return new MemoryBudget(bytes, "given: " + Bytes.format(bytes));
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
        if (device.getDeviceType().equals(Device.Type.CPU)) {
            return ofHost(hw, fraction, processResidentBytes);
        }
        throw new IllegalStateException(
                "No memory reading exists for device "
                        + device
                        + ": only the CPU and GPUs are probed. "
                        + GIVE_BYTES);
    }

    private static MemoryBudget ofHost(HardwareSnapshot hw, double fraction, long processResidentBytes) {
        long available = hw.availableMemoryBytes();
        long resident = Math.max(processResidentBytes, -1);
        long limit = hw.containerLimitBytes();
        String percentText = percent(fraction);

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
            hostPart = "available host memory " + Bytes.format(available)
                    + " plus this process's resident " + Bytes.format(resident);
        }

        if (limit > 0 && (host < 0 || limit <= host)) {
            String hostSum = host < 0 || resident < 0 ? hostPart : hostPart + " is " + Bytes.format(host);
            return new MemoryBudget(
                    share(fraction, limit),
                    percentText + " of the " + Bytes.format(limit) + " container limit (" + hostSum + ")");
        }
        if (host <= 0) {
            throw new IllegalStateException(
                    "The memory budget for cpu() cannot be derived: neither the available host memory "
                            + "nor a container memory limit could be read. "
                            + GIVE_BYTES);
        }
        String limitPart = limit > 0 ? "container limit " + Bytes.format(limit) : "container limit: none";
        return new MemoryBudget(
                share(fraction, host), percentText + " of " + Bytes.format(host) + ": " + hostPart + " (" + limitPart + ")");
    }

    private static MemoryBudget ofGpu(HardwareSnapshot hw, Device device, double fraction) {
        int index = device.getDeviceId();
        Optional<GpuInfo> found = hw.gpus().stream().filter(g -> g.index() == index).findFirst();
        if (found.isEmpty()) {
            throw new IllegalStateException(
                    "The memory budget for "
                            + device
                            + " cannot be derived: the hardware probe found "
                            + (hw.gpus().isEmpty() ? "no GPU" : hw.gpus().size() + " GPU(s), none with index " + index)
                            + ". "
                            + GIVE_BYTES);
        }
        GpuInfo gpu = found.get();
        if (gpu.freeBytes() < 0) {
            throw new IllegalStateException(
                    "The memory budget for "
                            + device
                            + " cannot be derived: the free memory of "
                            + gpu.name()
                            + " could not be read through "
                            + gpu.source()
                            + ". "
                            + GIVE_BYTES);
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
                        + usedPart + " plus " + percent(fraction) + " of its " + Bytes.format(free) + " free");
    }

    private static long share(double fraction, long bytes) {
        return Math.max(1, (long) Math.floor(fraction * bytes));
    }

    private static String percent(double fraction) {
        String text = String.format(Locale.ROOT, "%.1f", fraction * 100);
        return (text.endsWith(".0") ? text.substring(0, text.length() - 2) : text) + "%";
    }
}
