package dev.autobatch.autotune.advice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.autobatch.core.Trial;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The estimator on synthetic gradient norms {@code |G_B|^2 = |G|^2 + tr(S)/B}, exact and noisy. */
class NoiseScaleTest {

    private static final double GRADIENT_SQUARED = 0.4;
    private static final double TRACE = 200.0;
    private static final double B_NOISE = TRACE / GRADIENT_SQUARED;

    @Test
    void recoversAKnownNoiseScaleFromExactNorms() {
        List<Trial> trials = new ArrayList<>();
        for (int b = 2; b <= 8192; b *= 2) {
            double mean = GRADIENT_SQUARED + TRACE / b;
            trials.add(Trial.measured(b, 1000.0 * b, -1).withGradientNorm(mean, 0.5 * TRACE / b + 0.01));
        }

        NoiseScale noise = NoiseScale.estimate(trials);

        assertTrue(noise.isKnown(), noise::describe);
        assertEquals(B_NOISE, noise.bSimple(), 1e-6 * B_NOISE);
        assertEquals(GRADIENT_SQUARED, noise.gradientSquared(), 1e-9);
        assertEquals(TRACE, noise.traceCovariance(), 1e-6);
        assertEquals(13, noise.batchSizes());
        assertTrue(noise.low() <= noise.bSimple() && noise.high() >= noise.bSimple(), noise::describe);
    }

    @Test
    void withTwoBatchSizesItIsThePapersTwoBatchEstimator() {
        int small = 16;
        int big = 1024;
        double gSmall = 13.1;
        double gBig = 0.61;
        List<Trial> trials = List.of(
                Trial.measured(small, 100, -1).withGradientNorm(gSmall, Double.NaN),
                Trial.measured(big, 100, -1).withGradientNorm(gBig, Double.NaN));

        NoiseScale noise = NoiseScale.estimate(trials);

        double gradientSquared = (big * gBig - small * gSmall) / (big - small);
        double trace = (gSmall - gBig) / (1.0 / small - 1.0 / big);
        assertEquals(gradientSquared, noise.gradientSquared(), 1e-9 * Math.abs(gradientSquared));
        assertEquals(trace, noise.traceCovariance(), 1e-9 * trace);
        assertEquals(trace / gradientSquared, noise.bSimple(), 1e-9 * noise.bSimple());
        assertTrue(Double.isNaN(noise.low()), "two points leave no scatter to measure a spread from");
        assertTrue(noise.describe().contains("spread unknown"), noise::describe);
    }

    @Test
    void recoversItWithinAFactorOfTwoFromNoisyNormsAndItsSpreadCoversTheTruthMostOfTheTime() {
        int covered = 0;
        int runs = 200;
        for (long seed = 1; seed <= runs; seed++) {
            NoiseScale noise = NoiseScale.estimate(noisyTrials(new Random(seed), 5));
            assertTrue(noise.isKnown(), noise::describe);
            assertTrue(
                    noise.bSimple() > B_NOISE / 2 && noise.bSimple() < 2 * B_NOISE,
                    "seed " + seed + ": " + noise.describe());
            if (noise.low() <= B_NOISE && B_NOISE <= noise.high()) {
                covered++;
            }
        }
        // One standard error either side covers the truth about 68% of the time.
        assertTrue(covered > runs / 2, covered + " of " + runs + " spreads covered the true noise scale");
    }

    @Test
    void withoutGradientNormsOrWithOneSizeItIsUnknownAndSaysWhy() {
        NoiseScale none = NoiseScale.estimate(List.of(Trial.measured(2, 10, -1), Trial.measured(4, 20, -1)));
        assertFalse(none.isKnown());
        assertEquals(0, none.batchSizes());
        assertEquals("unknown: no trial recorded gradient norms", none.describe());
        assertTrue(Double.isNaN(none.efficiency(64, 32)));

        NoiseScale one = NoiseScale.estimate(
                List.of(Trial.measured(8, 10, -1).withGradientNorm(1.0, 0.1), Trial.outOfMemory(16)));
        assertFalse(one.isKnown());
        assertEquals(1, one.batchSizes());
        assertTrue(one.describe().contains("only one batch size"), one::describe);
        assertEquals(NoiseScale.unknown().describe(), none.describe());
    }

    @Test
    void normsThatDoNotFallWithTheBatchGiveNoEstimate() {
        // The noise swamps the gradient: |G_B|^2 falls as 1/B all the way, |G|^2 fits as negative.
        List<Trial> trials = new ArrayList<>();
        for (int b = 2; b <= 64; b *= 2) {
            trials.add(Trial.measured(b, 100, -1).withGradientNorm(100.0 / b - 0.01, 10.0 / b));
        }

        NoiseScale noise = NoiseScale.estimate(trials);

        assertFalse(noise.isKnown(), noise::describe);
        assertTrue(noise.describe().contains("swamps the gradient"), noise::describe);
    }

    @Test
    void efficiencyIsOneAtTheReferenceAndHalvesAtTheNoiseScaleFromFarBelow() {
        NoiseScale noise = new NoiseScale(1000, 900, 1100, 0.1, 100, 10);

        assertEquals(1.0, noise.efficiency(32, 32), 1e-12);
        assertEquals((1000.0 + 1) / (1000 + 1000), noise.efficiency(1000, 1), 1e-12);
        assertTrue(noise.efficiency(4096, 32) < noise.efficiency(1024, 32));
    }

    @Test
    void aTrialsBatchIsItsSamplesPerStepWithAccumulation() {
        // 4 micro-batches of 16 measure the gradient of 64 samples.
        List<Trial> trials = new ArrayList<>();
        for (int b : new int[] {16, 64, 256}) {
            trials.add(Trial.builder(b)
                    .optSamplesPerSecond(100.0 * b * 4)
                    .optMedianStepSeconds(0.01)
                    .optGradientNorm(GRADIENT_SQUARED + TRACE / (4.0 * b), 1.0 / b)
                    .optAccumulationSteps(4)
                    .build());
        }

        assertEquals(B_NOISE, NoiseScale.estimate(trials).bSimple(), 1e-6 * B_NOISE);
    }

    /**
     * Trials from 2 to 8,192 whose per-step norms scatter as a squared norm of a high-dimensional
     * random vector does: {@code |G + noise/sqrt(B)|^2} with the noise in 50 effective dimensions,
     * averaged over {@code steps} steps.
     */
    static List<Trial> noisyTrials(Random random, int steps) {
        List<Trial> trials = new ArrayList<>();
        int dimensions = 50;
        double perDimension = TRACE / dimensions;
        double g = Math.sqrt(GRADIENT_SQUARED);
        for (int b = 2; b <= 8192; b *= 2) {
            double[] norms = new double[steps];
            for (int s = 0; s < steps; s++) {
                double sum = 0;
                for (int d = 0; d < dimensions; d++) {
                    double component = (d == 0 ? g : 0) + random.nextGaussian() * Math.sqrt(perDimension / b);
                    sum += component * component;
                }
                norms[s] = sum;
            }
            double mean = 0;
            for (double n : norms) {
                mean += n / steps;
            }
            double squares = 0;
            for (double n : norms) {
                squares += (n - mean) * (n - mean);
            }
            trials.add(Trial.measured(b, 1000.0 * b, -1).withGradientNorm(mean, Math.sqrt(squares / (steps - 1))));
        }
        return trials;
    }
}
