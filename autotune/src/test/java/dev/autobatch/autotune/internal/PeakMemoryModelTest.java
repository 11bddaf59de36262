package dev.autobatch.autotune.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.autobatch.core.MemoryMeasurement;
import dev.autobatch.core.Trial;
import java.util.List;
import org.junit.jupiter.api.Test;

class PeakMemoryModelTest {

    private static Trial measured(int batch, long peak) {
        return Trial.measured(batch, 100, peak);
    }

    @Test
    void predictsNothingWithoutAMeasuredPeak() {
        PeakMemoryModel model = PeakMemoryModel.of(List.of(Trial.outOfMemory(4), Trial.measured(2, 100, -1)));

        assertTrue(model.isEmpty());
        assertTrue(Double.isNaN(model.predict(8)));
        assertEquals(64, model.largestWithin(1000, 5, 64));
    }

    @Test
    void extrapolatesAtLeastTheLineThroughTheLastTwoPlusAMargin() {
        // Slope 1 then 3 a sample: the least-squares line over all four would underestimate.
        PeakMemoryModel model =
                PeakMemoryModel.of(List.of(measured(8, 100), measured(16, 108), measured(32, 124), measured(64, 220)));

        double lastTwo = 220 + 3 * 64;
        double predicted = model.predict(128);

        assertTrue(predicted >= lastTwo, () -> predicted + " < " + lastTwo);
        assertEquals(lastTwo + PeakMemoryModel.MARGIN * (lastTwo - 220), predicted, 1e-9);
    }

    @Test
    void interpolatesBetweenMeasuredSizesNeverAboveTheLarger() {
        PeakMemoryModel model = PeakMemoryModel.of(List.of(measured(64, 1000), measured(128, 2000)));

        assertEquals(1000, model.predict(64));
        assertEquals(1500 + PeakMemoryModel.MARGIN * 500, model.predict(96), 1e-9);
        assertTrue(model.predict(127) <= 2000);
        assertEquals(1000, model.predict(2), "below the smallest size: that size's peak");
    }

    @Test
    void fromOneTrialGrowsInProportionAboveItsBaseline() {
        Trial withBaseline = Trial.builder(4)
                .optSamplesPerSecond(100)
                .optMedianStepSeconds(0.04)
                .optPeakMemoryBytes(1400)
                .optBaselineMemoryBytes(1000)
                .optMemoryMeasurement(MemoryMeasurement.HOST_PEAK_RSS)
                .build();

        double withoutBaseline = PeakMemoryModel.of(List.of(measured(4, 1400))).predict(8);

        assertEquals(
                1800 + PeakMemoryModel.MARGIN * 400,
                PeakMemoryModel.of(List.of(withBaseline)).predict(8),
                1e-9);
        assertEquals(2800 + PeakMemoryModel.MARGIN * 1400, withoutBaseline, 1e-9);
    }

    @Test
    void largestWithinFindsTheLastSizePredictedToFit() {
        PeakMemoryModel model = PeakMemoryModel.of(List.of(measured(64, 1000), measured(128, 2000)));

        long largest = model.largestWithin(3000, 129, 1 << 20);

        assertTrue(model.predict(largest) <= 3000);
        assertTrue(model.predict(largest + 1) > 3000);
        assertEquals(128, model.largestWithin(1500, 129, 1 << 20), "none fits: one below the range");
    }
}
