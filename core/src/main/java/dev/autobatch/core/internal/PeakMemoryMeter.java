package dev.autobatch.core.internal;

import ai.djl.Device;
import dev.autobatch.core.DeviceMemoryProbe;
import dev.autobatch.core.MemoryMeasurement;

/**
 * Measures the peak of one kind of memory over a stretch of work: {@link #start()} before it,
 * {@link #stop()} after it. Never throws: what it cannot read is {@code -1}.
 */
public interface PeakMemoryMeter {

    /**
     * Starts a measurement.
     *
     * @return the memory in use now (the baseline), in bytes, or {@code -1} if unknown
     */
    long start();

    /**
     * Ends the measurement started last.
     *
     * @return the peak since {@link #start()}, in bytes, or {@code -1} if unknown
     */
    long stop();

    /**
     * Returns which memory this meter reads and how.
     *
     * @return the measurement kind
     */
    MemoryMeasurement measurement();

    /**
     * Returns the meter for a training device: device memory through the probe for a GPU, the
     * process's peak resident memory for the CPU.
     *
     * @param device the device that trains
     * @param probe reads device memory; used only for GPUs
     * @return the meter
     */
    static PeakMemoryMeter forDevice(Device device, DeviceMemoryProbe probe) {
        if (device.isGpu()) {
            return new DeviceUsedMemoryMeter(device, probe);
        }
        return ProcStatusPeakMeter.isSupported() ? new ProcStatusPeakMeter() : new SampledRssMeter();
    }
}
