package dev.autobatch.autotune.probe;

import dev.autobatch.autotune.report.Bytes;
import java.util.List;

/**
 * What the machine looked like when a tuning started. Values that could not be read are {@code -1}
 * (numbers) or {@code "unknown"} (text); the GPU list is empty on a machine without GPUs.
 *
 * @param cpuModel the processor's name
 * @param physicalCores physical cores, or {@code -1}
 * @param logicalCores logical processors (hardware threads), or {@code -1}
 * @param totalMemoryBytes total host memory, or {@code -1}
 * @param availableMemoryBytes host memory available to new allocations without swapping, or
 *     {@code -1}
 * @param containerLimitBytes the container's (cgroup v2 or v1) memory limit, or {@code -1} when
 *     there is none or it cannot be read
 * @param jvmMaxHeapBytes the Java heap's maximum ({@code Runtime.maxMemory()}), or {@code -1} if
 *     the JVM sets none
 * @param gpus the GPUs, possibly empty
 * @param engine the deep-learning engine and its version, such as {@code "PyTorch 2.7.1"}; only
 *     the default engine's name (such as {@code "PyTorch"}) where the probe was given no loaded
 *     engine; {@code "unknown"} if not even that could be read
 * @param engineThreads the engine's intra-op CPU threads, or {@code -1} if unknown (see {@link
 *     HardwareProbe#snapshot()} for where the count comes from)
 * @param engineInteropThreads the engine's inter-op CPU threads, or {@code -1} if unknown
 * @param containerUsedBytes what the container's whole cgroup held, every process in it, less
 *     the page cache the kernel reclaims first; {@code -1} without a container limit or where the
 *     usage cannot be read. Other processes in a container count against its limit as this one
 *     does, which is why the memory budget subtracts this.
 */
public record HardwareSnapshot(
        String cpuModel,
        int physicalCores,
        int logicalCores,
        long totalMemoryBytes,
        long availableMemoryBytes,
        long containerLimitBytes,
        long jvmMaxHeapBytes,
        List<GpuInfo> gpus,
        String engine,
        int engineThreads,
        int engineInteropThreads,
        long containerUsedBytes) {

    /**
     * What a text the probes cannot read is, here and in every report: the one word for an
     * unknown value ({@code report.Wording.UNKNOWN} is this).
     */
    public static final String UNKNOWN = "unknown";

    /** Copies the GPU list. */
    public HardwareSnapshot {
        gpus = List.copyOf(gpus);
    }

    /**
     * A snapshot that knows nothing, for searches that run without a machine (replays, tests).
     *
     * @return the unknown snapshot
     */
    public static HardwareSnapshot unknown() {
        return new HardwareSnapshot(
                UNKNOWN, -1, -1, -1, -1, -1, Runtime.getRuntime().maxMemory(), List.of(), UNKNOWN, -1, -1, -1);
    }

    /**
     * Describes the machine for people, in a few lines:
     *
     * <pre>
     * CPU: AMD EPYC 7763 64-Core Processor, 64 physical / 128 logical cores
     * Engine: PyTorch 2.7.1; threads: intra-op 64, inter-op 64
     * Host memory: 503.5 GiB total, 489.1 GiB available; container limit: 8.0 GiB, 1.2 GiB of it in use
     * JVM max heap: 30.0 GiB
     * GPU 0: NVIDIA H100 80GB HBM3, 79.1 GiB free of 79.6 GiB (NVML)
     * </pre>
     *
     * <p>Unknown values read {@code unknown}, a missing container limit {@code none} (the usage is
     * left out where it cannot be read); a machine
     * without GPUs has the line {@code GPUs: none}.
     *
     * @return the description, lines separated by {@code \n}, without a final line break
     */
    public String describe() {
        StringBuilder out = new StringBuilder();
        out.append("CPU: ")
                .append(cpuModel)
                .append(", ")
                .append(count(physicalCores))
                .append(" physical / ")
                .append(count(logicalCores))
                .append(" logical cores\n");
        out.append("Engine: ")
                .append(engine)
                .append("; threads: intra-op ")
                .append(count(engineThreads))
                .append(", inter-op ")
                .append(count(engineInteropThreads))
                .append('\n');
        out.append("Host memory: ")
                .append(Bytes.format(totalMemoryBytes))
                .append(" total, ")
                .append(Bytes.format(availableMemoryBytes))
                .append(" available; container limit: ")
                .append(containerLimitBytes < 0 ? "none" : Bytes.format(containerLimitBytes))
                .append(
                        containerLimitBytes >= 0 && containerUsedBytes >= 0
                                ? ", " + Bytes.format(containerUsedBytes) + " of it in use"
                                : "")
                .append('\n');
        out.append("JVM max heap: ").append(Bytes.format(jvmMaxHeapBytes));
        if (gpus.isEmpty()) {
            out.append("\nGPUs: none");
        }
        for (GpuInfo gpu : gpus) {
            out.append("\nGPU ")
                    .append(gpu.index())
                    .append(": ")
                    .append(gpu.name())
                    .append(", ")
                    .append(Bytes.format(gpu.freeBytes()))
                    .append(" free of ")
                    .append(Bytes.format(gpu.totalBytes()))
                    .append(" (")
                    .append(gpu.source())
                    .append(')');
        }
        return out.toString();
    }

    private static String count(int value) {
        return value < 0 ? UNKNOWN : Integer.toString(value);
    }
}
