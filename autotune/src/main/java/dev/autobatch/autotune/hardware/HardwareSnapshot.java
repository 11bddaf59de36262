package dev.autobatch.autotune.hardware;

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
 * @param jvmMaxHeapBytes the Java heap's maximum ({@code Runtime.maxMemory()})
 * @param gpus the GPUs, possibly empty
 * @param engine the deep-learning engine and its version, such as {@code "PyTorch 2.7.1"}
 * @param engineThreads the engine's intra-op CPU threads, or {@code -1}
 * @param engineInteropThreads the engine's inter-op CPU threads, or {@code -1}
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
        int engineInteropThreads) {

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
                "unknown", -1, -1, -1, -1, -1, Runtime.getRuntime().maxMemory(), List.of(), "unknown", -1, -1);
    }
}
