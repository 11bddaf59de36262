package dev.autobatch.core.internal;

import ai.djl.Device;
import dev.autobatch.core.DeviceMemoryProbe;
import dev.autobatch.core.MemoryMeasurement;
import java.util.OptionalLong;

/**
 * A GPU's memory in use, as the user's GPU reports it (NVML, {@code nvidia-smi}), read through a
 * {@link DeviceMemoryProbe}. The runner empties PyTorch's cache before {@link #start()}, so the
 * baseline is what the model, the optimizer state and the CUDA context hold; the caching allocator
 * then keeps what the steps took, so the memory in use after them bounds their peak.
 *
 * <p>The reading is device-wide, so another process that allocates during the trial would count
 * as the trial's. Where the probe also reports this process's own memory ({@link
 * DeviceMemoryProbe#processUsedBytes}) at both ends, the peak is the device-wide baseline plus
 * this process's growth: {@code used(start) + own(stop) - own(start)}, which equals {@code
 * used(stop)} less what the others changed, growth or release. Without it (no per-process
 * accounting, or a PID namespace that hides this process from the driver) the peak is {@code
 * used(stop)}: an overstatement when others grew, never an understatement of this process.
 */
final class DeviceUsedMemoryMeter implements PeakMemoryMeter {

    private final Device device;
    private final DeviceMemoryProbe probe;
    private long baseline = -1;
    private long ownAtStart = -1;
    private boolean lastStopRead;

    DeviceUsedMemoryMeter(Device device, DeviceMemoryProbe probe) {
        this.device = device;
        this.probe = probe;
    }

    @Override
    public long start() {
        baseline = read(true);
        ownAtStart = read(false);
        return baseline;
    }

    @Override
    public long stop() {
        long used = read(true);
        long own = read(false);
        long start = baseline;
        long ownStart = ownAtStart;
        baseline = -1;
        ownAtStart = -1;
        lastStopRead = used >= 0;
        if (used < 0) {
            return -1;
        }
        if (start < 0 || ownStart < 0 || own < 0) {
            return used;
        }
        return Math.max(0, start + (own - ownStart));
    }

    /**
     * {@inheritDoc}
     *
     * @return {@link MemoryMeasurement#DEVICE_USED} where the last {@link #stop()} read the device,
     *     {@link MemoryMeasurement#NONE} otherwise (before any)
     */
    @Override
    public MemoryMeasurement measurement() {
        return lastStopRead ? MemoryMeasurement.DEVICE_USED : MemoryMeasurement.NONE;
    }

    private long read(boolean deviceWide) {
        try {
            OptionalLong bytes = deviceWide ? probe.usedBytes(device) : probe.processUsedBytes(device);
            return bytes.isPresent() && bytes.getAsLong() >= 0 ? bytes.getAsLong() : -1;
        } catch (RuntimeException e) {
            return -1;
        }
    }
}
