package dev.autobatch.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TrialTest {

    @Test
    void aBuilderLeavesWhatItWasNotGivenUnknown() {
        Trial trial = Trial.builder(32).optSamplesPerSecond(3200).build();

        assertEquals(Trial.Outcome.MEASURED, trial.outcome());
        assertEquals(-1, trial.peakMemoryBytes());
        assertEquals(-1, trial.baselineMemoryBytes());
        assertTrue(Double.isNaN(trial.medianStepSeconds()));
        assertTrue(Double.isNaN(trial.gradientNormSquared()));
        assertEquals(MemoryMeasurement.NONE, trial.memoryMeasurement());
        assertEquals(1, trial.accumulationSteps());
        assertEquals(0, trial.measuredSteps());
    }

    @Test
    void theOutcomeFollowsTheOutOfMemoryFlagAndTheFailure() {
        assertEquals(Trial.Outcome.OUT_OF_MEMORY, Trial.outOfMemory(8).outcome());
        assertTrue(Trial.outOfMemory(8).outOfMemory());
        assertEquals(Trial.Outcome.FAILED, Trial.failed(8, "Broken.").outcome());
        assertTrue(Trial.failed(8, "Broken.").failed());
        assertFalse(Trial.failed(8, "Broken.").ok());
        assertEquals(Trial.Outcome.MEASURED, Trial.measured(8, 80, 100).outcome());
    }

    @Test
    void aTrialCannotBeOutOfMemoryAndFailed() {
        Trial.Builder both = Trial.builder(8).optOutOfMemory().optFailure("Broken.");

        assertThrows(IllegalArgumentException.class, both::build);
    }

    @Test
    void toBuilderCopiesEveryComponent() {
        Trial trial = Trial.builder(16)
                .optSamplesPerSecond(1600)
                .optMedianStepSeconds(0.01)
                .optPeakMemoryBytes(2000)
                .optBaselineMemoryBytes(1000)
                .optMemoryMeasurement(MemoryMeasurement.HOST_PEAK_RSS)
                .optGradientNorm(2.5, 0.5)
                .optAccumulationSteps(2)
                .optStepTimeSpread(0.001, 5)
                .build();

        assertEquals(trial, trial.toBuilder().build());
        assertEquals(0.002, trial.withStepTimeSpread(0.002, 5).stepSecondsIqr());
        assertEquals(1000, trial.peakAboveBaselineBytes());
    }
}
