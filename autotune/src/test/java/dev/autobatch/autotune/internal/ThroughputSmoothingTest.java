package dev.autobatch.autotune.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import java.util.Random;

class ThroughputSmoothingTest {

    private static final long[] SIZES = {16, 32, 64, 128, 256, 512, 1024, 2048};

    /** Throughput of a step of 2 ms plus 10 us a sample: a smooth saturating curve. */
    private static double[] saturating() {
        double[] sps = new double[SIZES.length];
        for (int i = 0; i < SIZES.length; i++) {
            sps[i] = SIZES[i] / (2e-3 + 10e-6 * SIZES[i]);
        }
        return sps;
    }

    @Test
    void leavesASmoothSaturatingCurveAsMeasured() {
        double[] sps = saturating();

        assertArrayEquals(sps, ThroughputSmoothing.estimate(SIZES, sps), 1e-6 * sps[sps.length - 1]);
    }

    @Test
    void cutsASpikeBackToWhatItsNeighboursImply() {
        double[] sps = saturating();
        double[] spiked = sps.clone();
        spiked[4] *= 1.15;

        double[] estimates = ThroughputSmoothing.estimate(SIZES, spiked);

        assertEquals(sps[4], estimates[4], 1e-6 * sps[4]);
    }

    @Test
    void keepsADip() {
        double[] dipped = saturating();
        dipped[4] *= 0.85;

        assertEquals(dipped[4], ThroughputSmoothing.estimate(SIZES, dipped)[4]);
    }

    @Test
    void measuresNoNoiseOnASmoothCurveAndSeveralPercentOnAJitteryOne() {
        double[] sps = saturating();
        double[] jittery = sps.clone();
        Random random = new Random(7);
        for (int i = 0; i < jittery.length; i++) {
            jittery[i] *= 1 + 0.15 * (2 * random.nextDouble() - 1);
        }

        assertEquals(0, ThroughputSmoothing.noise(SIZES, sps), 1e-9);
        assertTrue(ThroughputSmoothing.noise(SIZES, jittery) > 0.03);
        assertEquals(0, ThroughputSmoothing.noise(new long[] {2, 4, 8}, new double[] {1, 2, 3}), "too few to tell");
    }
}
