package dev.autobatch.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.Device;
import dev.autobatch.core.DeviceMemoryProbe;
import dev.autobatch.core.MemoryMeasurement;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class DeviceUsedMemoryMeterTest {

    private static final long MIB = 1L << 20;
    private static final long UNKNOWN = Long.MIN_VALUE;

    /**
     * A GPU whose readings a test scripts, one per call and in order: the device-wide memory in
     * use ({@code nvidia-smi}'s figure) and this process's share of it.
     */
    private static final class ScriptedGpu implements DeviceMemoryProbe {

        private final Deque<Long> used = new ArrayDeque<>();
        private final Deque<Long> own = new ArrayDeque<>();
        private final boolean perProcess;

        ScriptedGpu(boolean perProcess) {
            this.perProcess = perProcess;
        }

        /** One reading at one end of the trial. */
        ScriptedGpu reads(long deviceUsed, long processUsed) {
            used.add(deviceUsed);
            own.add(processUsed);
            return this;
        }

        @Override
        public OptionalLong usedBytes(Device device) {
            return next(used);
        }

        @Override
        public OptionalLong processUsedBytes(Device device) {
            return perProcess ? next(own) : OptionalLong.empty();
        }

        private static OptionalLong next(Deque<Long> script) {
            long value = script.remove();
            return value == UNKNOWN ? OptionalLong.empty() : OptionalLong.of(value);
        }
    }

    private static DeviceUsedMemoryMeter meter(DeviceMemoryProbe probe) {
        return new DeviceUsedMemoryMeter(Device.gpu(0), probe);
    }

    @Test
    void thePeakIsTheMemoryInUseAfterTheStepsWhenNoOneElseChangedAnything() {
        // Baseline after emptyCudaCache: context, weights and optimizer state. The cache then keeps
        // what the steps took.
        ScriptedGpu gpu = new ScriptedGpu(true).reads(1500 * MIB, 1200 * MIB).reads(4500 * MIB, 4200 * MIB);
        DeviceUsedMemoryMeter meter = meter(gpu);

        assertEquals(1500 * MIB, meter.start());
        assertEquals(4500 * MIB, meter.stop());
        assertEquals(MemoryMeasurement.DEVICE_USED, meter.measurement());
    }

    @Test
    void anotherProcessAllocatingDuringTheTrialIsNotCountedAsTheTrials() {
        // This process grows by 3,000 MiB; another one takes 10 GiB meanwhile.
        ScriptedGpu gpu = new ScriptedGpu(true).reads(1500 * MIB, 1200 * MIB).reads((4500 + 10240) * MIB, 4200 * MIB);
        DeviceUsedMemoryMeter meter = meter(gpu);

        meter.start();
        assertEquals(4500 * MIB, meter.stop());
    }

    @Test
    void anotherProcessFreeingMemoryDuringTheTrialDoesNotHideTheTrialsGrowth() {
        // Another process held 6 GiB at the start and let it go: device-wide, the trial looks smaller
        // than its own 3,000 MiB of growth.
        ScriptedGpu gpu =
                new ScriptedGpu(true).reads((1500 + 6144) * MIB, 1200 * MIB).reads(4500 * MIB, 4200 * MIB);
        DeviceUsedMemoryMeter meter = meter(gpu);

        assertEquals((1500 + 6144) * MIB, meter.start());
        assertEquals((1500 + 6144 + 3000) * MIB, meter.stop());
    }

    @Test
    void withoutPerProcessAccountingThePeakIsTheDeviceWideReadingOthersIncluded() {
        ScriptedGpu gpu = new ScriptedGpu(false).reads(1500 * MIB, UNKNOWN).reads((4500 + 10240) * MIB, UNKNOWN);
        DeviceUsedMemoryMeter meter = meter(gpu);

        meter.start();
        assertEquals((4500 + 10240) * MIB, meter.stop());
        assertEquals(MemoryMeasurement.DEVICE_USED, meter.measurement());
    }

    @Test
    void thisProcessReadAtOnlyOneEndOfTheTrialFallsBackToTheDeviceWideReading() {
        // Listed at the start, gone from the list at the end (an NVML hiccup): no difference to take.
        ScriptedGpu gpu = new ScriptedGpu(true)
                .reads(1500 * MIB, 1200 * MIB)
                .reads(9000 * MIB, UNKNOWN)
                .reads(1500 * MIB, UNKNOWN)
                .reads(9000 * MIB, 4200 * MIB);
        DeviceUsedMemoryMeter meter = meter(gpu);

        meter.start();
        assertEquals(9000 * MIB, meter.stop());
        meter.start();
        assertEquals(9000 * MIB, meter.stop());
    }

    @Test
    void aDeviceThatCannotBeReadAfterTheStepsHasAnUnknownPeak() {
        ScriptedGpu gpu = new ScriptedGpu(true).reads(1500 * MIB, 1200 * MIB).reads(UNKNOWN, 4200 * MIB);
        DeviceUsedMemoryMeter meter = meter(gpu);

        meter.start();
        assertEquals(-1, meter.stop());
        assertEquals(MemoryMeasurement.NONE, meter.measurement());
    }

    @Test
    void anUnknownBaselineLeavesThePeakDeviceWide() {
        ScriptedGpu gpu = new ScriptedGpu(true).reads(UNKNOWN, 1200 * MIB).reads(4500 * MIB, 4200 * MIB);
        DeviceUsedMemoryMeter meter = meter(gpu);

        assertEquals(-1, meter.start());
        assertEquals(4500 * MIB, meter.stop());
    }

    @Test
    void eachTrialIsMeasuredFromItsOwnBaseline() {
        ScriptedGpu gpu = new ScriptedGpu(true)
                .reads(1500 * MIB, 1200 * MIB)
                .reads(4500 * MIB, 4200 * MIB)
                // After emptyCudaCache the next trial starts lower, and another process has 2 GiB.
                .reads((1500 + 2048) * MIB, 1200 * MIB)
                .reads((7500 + 2048) * MIB, 7200 * MIB);
        DeviceUsedMemoryMeter meter = meter(gpu);

        meter.start();
        assertEquals(4500 * MIB, meter.stop());
        meter.start();
        assertEquals((7500 + 2048) * MIB, meter.stop());
    }

    @Test
    void aProbeThatThrowsReadsAsUnknown() {
        DeviceMemoryProbe broken = device -> {
            throw new IllegalStateException("driver gone");
        };
        DeviceUsedMemoryMeter meter = meter(broken);

        assertEquals(-1, meter.start());
        assertEquals(-1, meter.stop());
        assertEquals(MemoryMeasurement.NONE, meter.measurement());
    }

    @Test
    void aGpuGetsThisMeterFromTheFactory() {
        ScriptedGpu gpu = new ScriptedGpu(true).reads(100 * MIB, 80 * MIB).reads(300 * MIB, 280 * MIB);
        PeakMemoryMeter meter = PeakMemoryMeter.forDevice(Device.gpu(0), gpu);

        assertEquals(100 * MIB, meter.start());
        assertEquals(300 * MIB, meter.stop());
        assertEquals(MemoryMeasurement.DEVICE_USED, meter.measurement());
    }
}
