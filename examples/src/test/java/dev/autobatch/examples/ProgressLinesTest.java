package dev.autobatch.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.autobatch.core.Trial;
import org.junit.jupiter.api.Test;

class ProgressLinesTest {

    @Test
    void aMeasuredTrialShowsItsThroughputAndPeakInColumns() {
        assertEquals(
                "trial batch      64:      12,345 samples/s ,       peak memory 512.0 MiB",
                ProgressLines.trial(Trial.measured(64, 12_345, 512L << 20)));
    }

    @Test
    void aTrialNotMeasuredSaysWhatBecameOfIt() {
        assertEquals("trial batch    4096: out of memory", ProgressLines.trial(Trial.outOfMemory(4096)));
        assertEquals("trial batch       8: failed: Broken.", ProgressLines.trial(Trial.failed(8, "Broken.")));
    }
}
