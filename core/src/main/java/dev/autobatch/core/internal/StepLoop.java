package dev.autobatch.core.internal;

import dev.autobatch.core.TrialProgress;
import java.util.Arrays;

/**
 * Runs one trial's warm-up and measured steps as a {@link MeasurementRule} says, keeps the
 * measured step times and the gradient norms of the first measured steps, and reports progress
 * about every {@code progressIntervalSeconds} of the trial's wall time. It stops at the first step
 * whose loss is not finite.
 */
public final class StepLoop {

    /**
     * One training step's outcome.
     *
     * @param seconds the step's timed span in seconds
     * @param loss the step's loss, averaged over its micro-batches
     * @param gradientNormSquared the squared global gradient norm, {@code NaN} unless asked for
     */
    public record StepResult(double seconds, float loss, double gradientNormSquared) {}

    /** Runs one training step. */
    @FunctionalInterface
    public interface Step {

        /**
         * Runs one training step.
         *
         * @param withGradientNorm whether to read the squared global gradient norm
         * @return the step's outcome
         */
        StepResult run(boolean withGradientNorm);
    }

    /**
     * What the steps gave.
     *
     * @param times the measured step times
     * @param gradientNorms the squared gradient norms read, one a measured step from the first
     *     on; empty unless asked for (and then their mean and spread are {@code NaN})
     * @param badLoss the loss that was not finite, {@code NaN} if every loss was finite (check
     *     {@link #badStep()})
     * @param badStep the step, counted from 1 with the warm-up, whose loss was not finite; 0 if
     *     none
     */
    public record Outcome(StepTimes times, double[] gradientNorms, float badLoss, int badStep) {}

    private final MeasurementRule rule;
    private final TrialProgress progress;
    private final long progressIntervalNanos;
    private final int gradientNormSteps;

    /**
     * A loop.
     *
     * @param rule when to stop warming up and measuring
     * @param progress who hears how a long trial is getting on
     * @param progressIntervalSeconds how often to tell it, in seconds of a trial's wall time
     * @param gradientNormSteps on how many of the first measured steps to read the gradient norm;
     *     0 for none
     */
    public StepLoop(
            MeasurementRule rule, TrialProgress progress, double progressIntervalSeconds, int gradientNormSteps) {
        this.rule = rule;
        this.progress = progress;
        this.progressIntervalNanos = (long) (progressIntervalSeconds * 1e9);
        this.gradientNormSteps = gradientNormSteps;
    }

    /**
     * Runs one trial's steps.
     *
     * @param batchSize the trial's batch size, for the progress reports
     * @param step runs one step
     * @return the step times and gradient norms, or where the loss stopped being finite
     */
    public Outcome run(int batchSize, Step step) {
        long start = System.nanoTime();
        long nextReport = start + progressIntervalNanos;
        int warmup = 0;
        double previous = Double.NaN;
        double last = Double.NaN;
        while (rule.warmUpMore(warmup, previous, last, seconds(System.nanoTime() - start))) {
            StepResult result = step.run(false);
            if (!Float.isFinite(result.loss())) {
                return new Outcome(new StepTimes(), new double[0], result.loss(), warmup + 1);
            }
            previous = last;
            last = result.seconds();
            warmup++;
            nextReport = report(nextReport, start, batchSize, TrialProgress.WARM_UP, warmup);
        }
        StepTimes times = new StepTimes();
        double[] norms = new double[gradientNormSteps];
        while (rule.measureMore(times, seconds(System.nanoTime() - start))) {
            int n = times.count();
            boolean withNorm = n < norms.length;
            StepResult result = step.run(withNorm);
            if (!Float.isFinite(result.loss())) {
                return new Outcome(times, new double[0], result.loss(), warmup + n + 1);
            }
            times.add(result.seconds());
            if (withNorm) {
                norms[n] = result.gradientNormSquared();
            }
            nextReport = report(nextReport, start, batchSize, TrialProgress.MEASURING, n + 1);
        }
        return new Outcome(times, Arrays.copyOf(norms, Math.min(norms.length, times.count())), Float.NaN, 0);
    }

    /** Reports if the next report is due, and returns when the one after is. */
    private long report(long nextReport, long start, int batchSize, String phase, int steps) {
        long now = System.nanoTime();
        if (now - nextReport < 0) {
            return nextReport;
        }
        progress.onProgress(batchSize, phase, steps, seconds(now - start));
        return now + progressIntervalNanos;
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }
}
