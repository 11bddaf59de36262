package dev.autobatch.autotune.search;

import dev.autobatch.core.Trial;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A {@link TrialRunner} that answers from a {@link Trace}. Optionally it guards a memory budget
 * (asking for a size whose true peak is above it fails the test at once), jitters throughput by a
 * seeded random factor drawn afresh for every measurement, or scales chosen sizes' throughput to plant a dip or a spike.
 */
final class ReplayRunner implements TrialRunner {

    private final Trace trace;
    private long guardedBudget = Long.MAX_VALUE;
    private Random noise;
    private double noiseAmplitude;
    private final Map<Integer, Double> factors = new HashMap<>();
    private final Map<Integer, Double> onceFactors = new HashMap<>();
    private double gradientSquared = Double.NaN;
    private double traceCovariance;
    private Random gradientNoise;
    private double gradientNoiseAmplitude;
    final List<Trial> trials = new ArrayList<>();

    ReplayRunner(Trace trace) {
        this.trace = trace;
    }

    /** Fails the test if asked for a size whose true peak is above the budget. */
    ReplayRunner guardingBudget(long budgetBytes) {
        guardedBudget = budgetBytes;
        return this;
    }

    /** Multiplies each measured throughput by a factor uniform in [1 - amplitude, 1 + amplitude]. */
    ReplayRunner withNoise(double amplitude, long seed) {
        noise = new Random(seed);
        noiseAmplitude = amplitude;
        return this;
    }

    /** Multiplies the throughput measured at one size by a factor. */
    ReplayRunner withFactor(int batchSize, double factor) {
        factors.put(batchSize, factor);
        return this;
    }

    /** Multiplies the first throughput measured at one size by a factor: a one-off spike or dip. */
    ReplayRunner withFactorOnce(int batchSize, double factor) {
        onceFactors.put(batchSize, factor);
        return this;
    }

    /**
     * Records gradient norms consistent with a known noise scale {@code trace / gradientSquared}:
     * {@code |G_B|^2 = gradientSquared + trace / B}, with a per-step spread of a third of the noise
     * term.
     */
    ReplayRunner withGradientNorms(double gradientSquared, double trace) {
        this.gradientSquared = gradientSquared;
        this.traceCovariance = trace;
        return this;
    }

    /** Multiplies each recorded gradient norm by a factor uniform in [1 - amplitude, 1 + amplitude]. */
    ReplayRunner withGradientNoise(double amplitude, long seed) {
        gradientNoise = new Random(seed);
        gradientNoiseAmplitude = amplitude;
        return this;
    }

    @Override
    public Trial run(int batchSize) {
        boolean oom = trace.outOfMemory(batchSize);
        if (guardedBudget < Long.MAX_VALUE && (oom || trace.peakBytes(batchSize) > guardedBudget)) {
            throw new AssertionError(trace + ": the search ran batch size " + batchSize + ", whose true peak "
                    + (oom ? "is above the device's memory" : String.format("%.0f", trace.peakBytes(batchSize)))
                    + " and so above the budget " + guardedBudget);
        }
        Trial trial;
        if (oom) {
            trial = Trial.outOfMemory(batchSize);
        } else {
            double sps = trace.samplesPerSecond(batchSize) * factors.getOrDefault(batchSize, 1.0);
            Double once = onceFactors.remove(batchSize);
            if (once != null) {
                sps *= once;
            }
            if (noise != null) {
                sps *= 1 + noiseAmplitude * (2 * noise.nextDouble() - 1);
            }
            trial = Trial.measured(batchSize, sps, Math.round(trace.peakBytes(batchSize)));
            if (!Double.isNaN(gradientSquared)) {
                double norm = gradientSquared + traceCovariance / batchSize;
                if (gradientNoise != null) {
                    norm *= 1 + gradientNoiseAmplitude * (2 * gradientNoise.nextDouble() - 1);
                }
                trial = trial.withGradientNorm(norm, traceCovariance / batchSize / 3);
            }
        }
        trials.add(trial);
        return trial;
    }
}
