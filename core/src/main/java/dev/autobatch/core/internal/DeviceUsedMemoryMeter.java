package dev.autobatch.core.internal;

import ai.djl.Device;
import dev.autobatch.core.DeviceMemoryProbe;
import dev.autobatch.core.MemoryMeasurement;

/**
 * A GPU's memory in use, read through a {@link DeviceMemoryProbe}. The runner empties PyTorch's
 * cache before {@link #start()}; the caching allocator then keeps what the steps took, so the
 * memory in use after them bounds their peak.
 */
final class DeviceUsedMemoryMeter implements PeakMemoryMeter {

    private final Device device;
    private final DeviceMemoryProbe probe;

    DeviceUsedMemoryMeter(Device device, DeviceMemoryProbe probe) {
        this.device = device;
        this.probe = probe;
    }

    @Override
    public long start() {
        return read();
    }

    @Override
    public long stop() {
        return read();
    }

    @Override
    public MemoryMeasurement measurement() {
        return probe.usedBytes(device).isPresent() ? MemoryMeasurement.DEVICE_USED : MemoryMeasurement.NONE;
    }

    private long read() {
        try {
            return probe.usedBytes(device).orElse(-1);
        } catch (RuntimeException e) {
            return -1;
        }
    }
}
