package dev.autobatch.autotune.probe;

import ai.djl.Device;
import dev.autobatch.core.DeviceMemoryProbe;
import java.util.OptionalLong;

/**
 * Reads the memory in use on a GPU for {@code core}'s trials: device-wide, by every process, the
 * driver and its reservations ({@code total - free}), through NVML where it is installed (no CUDA
 * context) and DJL's CUDA query otherwise; and this process's own share, through NVML's list of
 * compute processes, so that a trial's peak can leave out what other processes did meanwhile. See
 * {@link GpuProbe} for how GPUs are numbered.
 *
 * <pre>{@code
 * DeviceMemoryProbe probe = new GpuMemoryProbe();
 * OptionalLong used = probe.usedBytes(Device.gpu(0));
 * }</pre>
 */
public final class GpuMemoryProbe implements DeviceMemoryProbe {

    /** Creates the probe; it holds no state, and NVML is loaded once per JVM on first use. */
    public GpuMemoryProbe() {}

    /**
     * Returns the bytes in use on a GPU, device-wide.
     *
     * @param device the device to read
     * @return the bytes in use, or empty for a device that is not a GPU, a GPU that does not exist,
     *     or one that cannot be read; never throws
     */
    @Override
    public OptionalLong usedBytes(Device device) {
        if (device == null || !device.isGpu()) {
            return OptionalLong.empty();
        }
        return GpuProbe.usedBytes(device.getDeviceId());
    }

    /**
     * Returns the bytes this process holds on a GPU, as NVML accounts them per process.
     *
     * @param device the device to read
     * @return the bytes, or empty for a device that is not a GPU, where NVML is missing, or where
     *     it does not list this process (a container whose PID namespace is not the driver's);
     *     never throws
     */
    @Override
    public OptionalLong processUsedBytes(Device device) {
        if (device == null || !device.isGpu()) {
            return OptionalLong.empty();
        }
        return GpuProbe.processUsedBytes(device.getDeviceId());
    }
}
