package dev.autobatch.core;

import ai.djl.Device;
import java.util.OptionalLong;

/**
 * Reads how much memory is in use on an accelerator. {@code core} uses it to measure a trial's
 * device peak; {@code autotune} implements it with NVML and CUDA queries, so {@code core} holds no
 * hardware-probe code.
 */
@FunctionalInterface
public interface DeviceMemoryProbe {

    /** A probe that never knows: trials on a device then report {@link MemoryMeasurement#NONE}. */
    DeviceMemoryProbe NONE = device -> OptionalLong.empty();

    /**
     * Returns the bytes in use on the whole device, by every process.
     *
     * @param device the device to read, a GPU
     * @return the bytes in use, or empty when the device cannot be read; never throws
     */
    OptionalLong usedBytes(Device device);

    /**
     * Returns the bytes this process holds on the device, as the driver accounts them per process
     * (for NVIDIA GPUs, NVML's list of compute processes). A trial's device peak uses it to leave
     * out what other processes allocated or freed on the device during the trial.
     *
     * @param device the device to read, a GPU
     * @return the bytes, or empty where the driver does not say (then the peak is the device-wide
     *     reading, which counts other processes' changes too); by default empty; never throws
     */
    default OptionalLong processUsedBytes(Device device) {
        return OptionalLong.empty();
    }
}
