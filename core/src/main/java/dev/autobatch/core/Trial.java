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
 * @param samplesPerSecond {@code batchSize / medianStepSeconds}; {@code NaN} unless measured
 * @param peakMemoryBytes the absolute peak of the memory named by {@code memoryMeasurement}
 *     during the measured steps, in bytes; {@code -1} if unknown
 * @param outOfMemory whether the trial ran out of memory
 * @param medianStepSeconds the median seconds of one measured training step; {@code NaN} unless
 *     measured
 * @param baselineMemoryBytes the same memory just before the trial, in bytes; {@code -1} if
 *     unknown
 * @param memoryMeasurement which memory the two byte counts describe and how they were measured
 * @param failure why the trial failed, for a failure other than out of memory; {@code null}
 *     otherwise
 * @param gradientNormSquared the mean over measured steps of the squared global L2 norm of the
 *     gradient; {@code NaN} unless recorded
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
        double gradientNormSquared) {

    /** Validates the components. */
    public Trial {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
        }
        Objects.requireNonNull(memoryMeasurement, "memoryMeasurement");
        if (outOfMemory && failure != null) {
            throw new IllegalArgumentException(
                    "a trial is either out of memory or failed, not both: " + failure);
        }
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
        return new Trial(
                batchSize, Double.NaN, -1, true, Double.NaN, -1, MemoryMeasurement.NONE, null, Double.NaN);
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
        return new Trial(
                batchSize, Double.NaN, -1, false, Double.NaN, -1, MemoryMeasurement.NONE, failure, Double.NaN);
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
