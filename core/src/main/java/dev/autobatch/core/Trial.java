package dev.autobatch.core;

import java.util.Objects;

/**
 * One measured training trial at one batch size: a few real training steps (forward, backward,
 * optimizer) whose median step time and peak memory were measured.
 *
 * <p>A trial is one of three things: measured ({@link #ok()}), out of memory ({@link
 * #outOfMemory()}), or failed for another reason ({@link #failed()}, with {@link #failure()}).
 * Quantities that were not measured are {@code NaN} (doubles) or {@code -1} (bytes).
 *
 * @param batchSize the batch size trained, at least 1
 * @param samplesPerSecond {@code batchSize * accumulationSteps / medianStepSeconds}; {@code NaN}
 *     unless measured
 * @param peakMemoryBytes the absolute peak of the memory named by {@code memoryMeasurement}
 *     during the measured steps, in bytes; {@code -1} if unknown
 * @param outOfMemory whether the trial ran out of memory
 * @param medianStepSeconds the median seconds of one measured training step (all its
 *     micro-batches' forward and backward passes and one optimizer update); {@code NaN} unless
 *     measured
 * @param baselineMemoryBytes the same memory just before the trial, in bytes; {@code -1} if
 *     unknown
 * @param memoryMeasurement which memory the two byte counts describe and how they were measured
 * @param failure why the trial failed, for a failure other than out of memory; {@code null}
 *     otherwise
 * @param gradientNormSquared the mean over measured steps of the squared global L2 norm of the
 *     gradient, {@code |G_B|^2} for {@code B = batchSize * accumulationSteps} samples; {@code NaN}
 *     unless recorded
 * @param gradientNormSquaredStdDev the sample standard deviation over measured steps of the same
 *     squared norm (each step is a different batch, so this is the spread of {@code |G_B|^2} from
 *     batch to batch); {@code NaN} unless recorded over at least two measured steps
 * @param accumulationSteps how many micro-batches of {@code batchSize} each optimizer step
 *     accumulated, at least 1 (1: no accumulation). A step then trains on {@code batchSize *
 *     accumulationSteps} samples, and {@code samplesPerSecond} counts all of them
 * @param stepSecondsIqr the interquartile range of the measured steps' times in seconds (the
 *     spread of the middle half), {@code NaN} unless measured over at least two steps
 * @param measuredSteps how many measured steps the median and its spread come from; {@code 0}
 *     where not known (a replayed or hand-built trial)
 */
public record Trial(
        int batchSize,
        double samplesPerSecond,
        long peakMemoryBytes,
        boolean outOfMemory,
        double medianStepSeconds,
        long baselineMemoryBytes,
        MemoryMeasurement memoryMeasurement,
        String failure,
        double gradientNormSquared,
        double gradientNormSquaredStdDev,
        int accumulationSteps,
        double stepSecondsIqr,
        int measuredSteps) {

    /** Validates the components. */
    public Trial {
        Checks.atLeastOne(batchSize, "batch size", "");
        Checks.atLeastOne(accumulationSteps, "accumulation steps", "1 means no accumulation");
        Checks.zeroOrMore(measuredSteps, "measured steps");
        if (stepSecondsIqr < 0) {
            throw new IllegalArgumentException(
                    "the interquartile range of step times cannot be negative, got " + stepSecondsIqr);
        }
        Objects.requireNonNull(memoryMeasurement, "memoryMeasurement");
        if (outOfMemory && failure != null) {
            throw new IllegalArgumentException("a trial is either out of memory or failed, not both: " + failure);
        }
    }

    /**
     * A trial without a recorded spread of its step times: the components before those two were
     * added.
     *
     * @param batchSize the batch size trained, at least 1
     * @param samplesPerSecond {@code batchSize * accumulationSteps / medianStepSeconds}
     * @param peakMemoryBytes the absolute peak memory, in bytes; {@code -1} if unknown
     * @param outOfMemory whether the trial ran out of memory
     * @param medianStepSeconds the median seconds of one measured step
     * @param baselineMemoryBytes the same memory just before the trial; {@code -1} if unknown
     * @param memoryMeasurement which memory the two byte counts describe
     * @param failure why the trial failed, or {@code null}
     * @param gradientNormSquared the mean squared global gradient norm; {@code NaN} unless recorded
     * @param gradientNormSquaredStdDev its spread over the measured steps; {@code NaN} unless recorded
     * @param accumulationSteps micro-batches a step, at least 1
     */
    public Trial(
            int batchSize,
            double samplesPerSecond,
            long peakMemoryBytes,
            boolean outOfMemory,
            double medianStepSeconds,
            long baselineMemoryBytes,
            MemoryMeasurement memoryMeasurement,
            String failure,
            double gradientNormSquared,
            double gradientNormSquaredStdDev,
            int accumulationSteps) {
        this(
                batchSize,
                samplesPerSecond,
                peakMemoryBytes,
                outOfMemory,
                medianStepSeconds,
                baselineMemoryBytes,
                memoryMeasurement,
                failure,
                gradientNormSquared,
                gradientNormSquaredStdDev,
                accumulationSteps,
                Double.NaN,
                0);
    }

    /**
     * A trial without accumulation and without a recorded spread of the gradient norm: the
     * components before those two were added.
     *
     * @param batchSize the batch size trained, at least 1
     * @param samplesPerSecond {@code batchSize / medianStepSeconds}; {@code NaN} unless measured
     * @param peakMemoryBytes the absolute peak memory, in bytes; {@code -1} if unknown
     * @param outOfMemory whether the trial ran out of memory
     * @param medianStepSeconds the median seconds of one measured step; {@code NaN} unless measured
     * @param baselineMemoryBytes the same memory just before the trial; {@code -1} if unknown
     * @param memoryMeasurement which memory the two byte counts describe
     * @param failure why the trial failed, or {@code null}
     * @param gradientNormSquared the mean squared global gradient norm; {@code NaN} unless recorded
     */
    public Trial(
            int batchSize,
            double samplesPerSecond,
            long peakMemoryBytes,
            boolean outOfMemory,
            double medianStepSeconds,
            long baselineMemoryBytes,
            MemoryMeasurement memoryMeasurement,
            String failure,
            double gradientNormSquared) {
        this(
                batchSize,
                samplesPerSecond,
                peakMemoryBytes,
                outOfMemory,
                medianStepSeconds,
                baselineMemoryBytes,
                memoryMeasurement,
                failure,
                gradientNormSquared,
                Double.NaN,
                1,
                Double.NaN,
                0);
    }

    /**
     * A measured trial whose memory kind is unknown, as a replay or a test builds it.
     *
     * @param batchSize the batch size, at least 1
     * @param samplesPerSecond the throughput in samples per second, positive
     * @param peakMemoryBytes the absolute peak memory in bytes, or {@code -1} if unknown
     * @return the trial
     */
    public static Trial measured(int batchSize, double samplesPerSecond, long peakMemoryBytes) {
        if (!(samplesPerSecond > 0) || Double.isInfinite(samplesPerSecond)) {
            throw new IllegalArgumentException(
                    "samples per second must be positive and finite, got " + samplesPerSecond);
        }
        return new Trial(
                batchSize,
                samplesPerSecond,
                peakMemoryBytes,
                false,
                batchSize / samplesPerSecond,
                -1,
                MemoryMeasurement.NONE,
                null,
                Double.NaN);
    }

    /**
     * A trial that ran out of memory.
     *
     * @param batchSize the batch size, at least 1
     * @return the trial
     */
    public static Trial outOfMemory(int batchSize) {
        return new Trial(batchSize, Double.NaN, -1, true, Double.NaN, -1, MemoryMeasurement.NONE, null, Double.NaN);
    }

    /**
     * A trial that failed for a reason other than memory.
     *
     * @param batchSize the batch size, at least 1
     * @param failure what went wrong, a full sentence
     * @return the trial
     */
    public static Trial failed(int batchSize, String failure) {
        Objects.requireNonNull(failure, "failure");
        return new Trial(batchSize, Double.NaN, -1, false, Double.NaN, -1, MemoryMeasurement.NONE, failure, Double.NaN);
    }

    /**
     * Returns whether the trial was measured: neither out of memory nor failed.
     *
     * @return {@code true} for a measured trial
     */
    public boolean ok() {
        return !outOfMemory && failure == null;
    }

    /**
     * Returns whether the trial failed for a reason other than memory.
     *
     * @return {@code true} if {@link #failure()} is set
     */
    public boolean failed() {
        return failure != null;
    }

    /**
     * Returns a copy that carries recorded gradient norms, as a replay or a test builds it.
     *
     * @param meanSquared the mean over steps of the squared global gradient norm
     * @param stdDevSquared the standard deviation over steps of the same, or {@code NaN}
     * @return the copy
     */
    public Trial withGradientNorm(double meanSquared, double stdDevSquared) {
        return new Trial(
                batchSize,
                samplesPerSecond,
                peakMemoryBytes,
                outOfMemory,
                medianStepSeconds,
                baselineMemoryBytes,
                memoryMeasurement,
                failure,
                meanSquared,
                stdDevSquared,
                accumulationSteps,
                stepSecondsIqr,
                measuredSteps);
    }

    /**
     * Returns a copy that carries the spread of its step times, as a replay or a test builds it.
     *
     * @param iqrSeconds the interquartile range of the step times, in seconds, not negative
     * @param steps the measured steps, at least 0
     * @return the copy
     */
    public Trial withStepTimeSpread(double iqrSeconds, int steps) {
        return new Trial(
                batchSize,
                samplesPerSecond,
                peakMemoryBytes,
                outOfMemory,
                medianStepSeconds,
                baselineMemoryBytes,
                memoryMeasurement,
                failure,
                gradientNormSquared,
                gradientNormSquaredStdDev,
                accumulationSteps,
                iqrSeconds,
                steps);
    }

    /**
     * Returns the spread of the step times relative to their median: the interquartile range over
     * the median step time. A measure of how noisy the trial's timing was (0.02: the middle half
     * of the steps lay within 2% of the median's length).
     *
     * @return the relative spread, {@code NaN} where unknown
     */
    public double relativeSpread() {
        return ok() && medianStepSeconds > 0 ? stepSecondsIqr / medianStepSeconds : Double.NaN;
    }

    /**
     * Returns the throughput at the slow end of the middle half of the steps: the samples a step
     * over the median step time plus half the interquartile range. With {@link
     * #samplesPerSecondHigh()}, the error bar of {@link #samplesPerSecond()}.
     *
     * @return samples per second, {@code NaN} where the spread is unknown
     */
    public double samplesPerSecondLow() {
        double spread = relativeSpread();
        return Double.isNaN(spread) ? Double.NaN : samplesPerSecond / (1 + spread / 2);
    }

    /**
     * Returns the throughput at the fast end of the middle half of the steps: the samples a step
     * over the median step time less half the interquartile range.
     *
     * @return samples per second, {@code NaN} where the spread is unknown (or as wide as the
     *     median itself)
     */
    public double samplesPerSecondHigh() {
        double spread = relativeSpread();
        return Double.isNaN(spread) || spread >= 2 ? Double.NaN : samplesPerSecond / (1 - spread / 2);
    }

    /**
     * Returns the samples one optimizer step trained on: the batch size times the accumulation
     * steps. The gradient norm describes a batch of this size.
     *
     * @return {@code batchSize * accumulationSteps}
     */
    public long samplesPerStep() {
        return (long) batchSize * accumulationSteps;
    }

    /**
     * Returns whether the trial recorded a usable squared gradient norm: measured, finite and
     * positive.
     *
     * @return {@code true} if {@link #gradientNormSquared()} can be used
     */
    public boolean hasGradientNorm() {
        return ok() && Double.isFinite(gradientNormSquared) && gradientNormSquared > 0;
    }

    /**
     * Returns the peak above the baseline taken just before the trial: what the trial itself
     * added.
     *
     * @return bytes, or {@code -1} when either count is unknown
     */
    public long peakAboveBaselineBytes() {
        if (peakMemoryBytes < 0 || baselineMemoryBytes < 0) {
            return -1;
        }
        return Math.max(0, peakMemoryBytes - baselineMemoryBytes);
    }
}
