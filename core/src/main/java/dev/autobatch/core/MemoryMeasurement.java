package dev.autobatch.core;

/** Which memory a {@link Trial}'s peak describes and how it was measured. */
public enum MemoryMeasurement {
    /**
     * Host memory: the process's peak resident set ({@code VmHWM} of {@code /proc/self/status}),
     * reset before the trial by writing {@code 5} to {@code /proc/self/clear_refs}. Exact on Linux.
     */
    HOST_PEAK_RSS(false),
    /**
     * Host memory: the highest resident set size seen by sampling the process through OSHI every
     * few milliseconds during the trial. The fallback where {@code /proc/self/clear_refs} cannot be
     * written; it can miss a short spike, so it may understate the peak.
     */
    HOST_SAMPLED_RSS(false),
    /**
     * Device (GPU) memory in use on the whole device after the steps, as reported by a {@link
     * DeviceMemoryProbe}. PyTorch's caching allocator keeps what a step took, so after the
     * measured steps this bounds the step's peak from above. Where the probe reports this
     * process's own memory at both ends of the trial, other processes' changes during it are left
     * out: the peak is the baseline plus this process's growth.
     */
    DEVICE_USED(true),
    /** Nothing was measured: the trial failed before measuring, or no probe could read the device. */
    NONE(false);

    private final boolean device;

    MemoryMeasurement(boolean device) {
        this.device = device;
    }

    /**
     * Returns whether the peak is device (accelerator) memory rather than host memory.
     *
     * @return {@code true} for device memory
     */
    public boolean isDevice() {
        return device;
    }
}
