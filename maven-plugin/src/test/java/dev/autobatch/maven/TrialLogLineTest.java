package dev.autobatch.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.autobatch.core.Trial;
import org.junit.jupiter.api.Test;

class TrialLogLineTest {

    /** 12,800 samples/s at batch 64: a median step of 5 ms. */
    private static final Trial MEASURED = Trial.measured(64, 12_800, 512L << 20);

    @Test
    void aMeasuredTrialShowsItsThroughputWithItsSpreadAndItsPeak() {
        // An IQR of 0.21 ms around a 5 ms median: the middle half of the steps within ±2.1%.
        assertEquals(
                "Batch size 64: 12,800 samples/s ±2.1%, peak memory 512.0 MiB; ok",
                TuningSession.describe(MEASURED.withStepTimeSpread(0.00021, 5), "ok"));
    }

    @Test
    void aTrialWithoutARecordedSpreadShowsTheThroughputAlone() {
        assertEquals(
                "Batch size 64: 12,800 samples/s, peak memory 512.0 MiB; throughput saturated",
                TuningSession.describe(MEASURED, "throughput saturated"));
        assertEquals(
                "Batch size 64: 12,800 samples/s ±0.0%; ok",
                TuningSession.describe(Trial.measured(64, 12_800, -1).withStepTimeSpread(0, 5), "ok"));
    }

    @Test
    void aTrialThatDidNotRunSaysWhy() {
        assertEquals(
                "Batch size 128: out of memory; out of memory",
                TuningSession.describe(Trial.outOfMemory(128), "out of memory"));
        assertEquals(
                "Batch size 128: failed: The loss was NaN.; failed",
                TuningSession.describe(Trial.failed(128, "The loss was NaN."), "failed"));
    }
}
