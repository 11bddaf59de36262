package dev.autobatch.autotune.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class StepTimeModelTest {

    @Test
    void remainingGainIsTheOverheadOverThePerSampleTime() {
        StepTimeModel model = StepTimeModel.fit(new double[] {64, 128, 256}, new double[] {2.64e-3, 3.28e-3, 4.56e-3});

        assertEquals(2e-3, model.overheadSeconds(), 1e-12);
        assertEquals(10e-6, model.secondsPerSample(), 1e-15);
        assertEquals(0.05, model.remainingGain(4000), 1e-12);
        assertEquals(4000 / (2e-3 + 0.04), model.samplesPerSecond(4000), 1e-6);
    }

    @Test
    void stepTimeThatDoesNotGrowLeavesUnlimitedGain() {
        StepTimeModel flat = new StepTimeModel(1e-3, 0);

        assertEquals(Double.POSITIVE_INFINITY, flat.remainingGain(1024));
    }
}
