package dev.autobatch.core;

import java.util.Objects;

/**
 * One measured training trial at one batch size: a few real training steps (forward, backward,
 * optimizer) whose median step time and peak memory were measured.
 *
 * <p>A trial is one of three things, its {@link #outcome()}: measured ({@link #ok()}), out of memory
 * ({@link #outOfMemory()}), or failed for another reason ({@link #failed()}, with {@link
 * #failure()}). Build one with {@link #builder(int)} or the factories {@link #measured}, {@link
 * #outOfMemory(int)} and {@link #failed(int, String)}.
 *
 * <p>Unknown values follow the project's one policy ({@code package-info} of {@code
 * dev.autobatch.core}): a byte figure that was not read is {@code -1}, a rate or time that was not
 * measured is {@code NaN}, a count of steps not known is {@code 0}.
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
        return builder(batchSize)
                .optSamplesPerSecond(samplesPerSecond)
                .optMedianStepSeconds(batchSize / samplesPerSecond)
                .optPeakMemoryBytes(peakMemoryBytes)
                .build();
    }

    /**
     * A trial that ran out of memory.
     *
     * @param batchSize the batch size, at least 1
     * @return the trial
     */
    public static Trial outOfMemory(int batchSize) {
        return builder(batchSize).optOutOfMemory().build();
    }

    /**
     * A trial that failed for a reason other than memory.
     *
     * @param batchSize the batch size, at least 1
     * @param failure what went wrong, a full sentence
     * @return the trial
     */
    public static Trial failed(int batchSize, String failure) {
        return builder(batchSize)
                .optFailure(Objects.requireNonNull(failure, "failure"))
                .build();
    }

    /**
     * Returns what became of the trial, derived from {@link #outOfMemory()} and {@link #failure()}
     * (the record keeps no third field that could disagree with them).
     *
     * @return {@link Outcome#MEASURED}, {@link Outcome#OUT_OF_MEMORY} or {@link Outcome#FAILED}
     */
    public Outcome outcome() {
        if (outOfMemory) {
            return Outcome.OUT_OF_MEMORY;
        }
        return failure != null ? Outcome.FAILED : Outcome.MEASURED;
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
        return toBuilder().optGradientNorm(meanSquared, stdDevSquared).build();
    }

    /**
     * Returns a copy that carries the spread of its step times, as a replay or a test builds it.
     *
     * @param iqrSeconds the interquartile range of the step times, in seconds, not negative
     * @param steps the measured steps, at least 0
     * @return the copy
     */
    public Trial withStepTimeSpread(double iqrSeconds, int steps) {
        return toBuilder().optStepTimeSpread(iqrSeconds, steps).build();
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

    /**
     * Returns a builder for a trial at {@code batchSize}: measured, with every figure unknown
     * ({@code NaN}, {@code -1}, {@link MemoryMeasurement#NONE}), no accumulation, until set.
     *
     * @param batchSize the batch size trained, at least 1
     * @return a new builder
     */
    public static Builder builder(int batchSize) {
        return new Builder(batchSize);
    }

    /**
     * Returns a builder holding every component of this trial, to build a changed copy.
     *
     * @return a new builder
     */
    public Builder toBuilder() {
        Builder b = new Builder(batchSize)
                .optSamplesPerSecond(samplesPerSecond)
                .optPeakMemoryBytes(peakMemoryBytes)
                .optMedianStepSeconds(medianStepSeconds)
                .optBaselineMemoryBytes(baselineMemoryBytes)
                .optMemoryMeasurement(memoryMeasurement)
                .optGradientNorm(gradientNormSquared, gradientNormSquaredStdDev)
                .optAccumulationSteps(accumulationSteps)
                .optStepTimeSpread(stepSecondsIqr, measuredSteps);
        b.outOfMemory = outOfMemory;
        b.failure = failure;
        return b;
    }

    /** What became of a trial: one of three, never two at once. */
    public enum Outcome {
        /** The trial ran its steps and was measured. */
        MEASURED,
        /** The trial ran out of memory. */
        OUT_OF_MEMORY,
        /** The trial failed for a reason other than memory ({@link Trial#failure()} says which). */
        FAILED
    }

    /**
     * Builds a {@link Trial}; DJL's convention, {@code optX} for each optional value. Unset figures
     * keep the record's "unknown" values (see the class comment).
     */
    public static final class Builder {

        private final int batchSize;
        private double samplesPerSecond = Double.NaN;
        private long peakMemoryBytes = -1;
        private boolean outOfMemory;
        private double medianStepSeconds = Double.NaN;
        private long baselineMemoryBytes = -1;
        private MemoryMeasurement memoryMeasurement = MemoryMeasurement.NONE;
        private String failure;
        private double gradientNormSquared = Double.NaN;
        private double gradientNormSquaredStdDev = Double.NaN;
        private int accumulationSteps = 1;
        private double stepSecondsIqr = Double.NaN;
        private int measuredSteps;

        private Builder(int batchSize) {
            this.batchSize = batchSize;
        }

        /** Sets the throughput, in samples per second ({@code NaN} unless measured). */
        public Builder optSamplesPerSecond(double value) {
            this.samplesPerSecond = value;
            return this;
        }

        /** Sets the absolute peak memory during the measured steps, in bytes ({@code -1}: unknown). */
        public Builder optPeakMemoryBytes(long bytes) {
            this.peakMemoryBytes = bytes;
            return this;
        }

        /** Sets the median seconds of one measured step ({@code NaN} unless measured). */
        public Builder optMedianStepSeconds(double seconds) {
            this.medianStepSeconds = seconds;
            return this;
        }

        /** Sets the memory just before the trial, in bytes ({@code -1}: unknown). */
        public Builder optBaselineMemoryBytes(long bytes) {
            this.baselineMemoryBytes = bytes;
            return this;
        }

        /** Sets which memory the byte counts describe. */
        public Builder optMemoryMeasurement(MemoryMeasurement measurement) {
            this.memoryMeasurement = Objects.requireNonNull(measurement, "measurement");
            return this;
        }

        /** Makes the trial one that ran out of memory. */
        public Builder optOutOfMemory() {
            this.outOfMemory = true;
            return this;
        }

        /** Makes the trial one that failed for a reason other than memory. */
        public Builder optFailure(String why) {
            this.failure = Objects.requireNonNull(why, "why");
            return this;
        }

        /** Sets the recorded squared gradient norm and its spread over the measured steps. */
        public Builder optGradientNorm(double meanSquared, double stdDevSquared) {
            this.gradientNormSquared = meanSquared;
            this.gradientNormSquaredStdDev = stdDevSquared;
            return this;
        }

        /** Sets how many micro-batches each optimizer step accumulated (default 1). */
        public Builder optAccumulationSteps(int steps) {
            this.accumulationSteps = steps;
            return this;
        }

        /** Sets the spread of the measured steps' times and how many steps it comes from. */
        public Builder optStepTimeSpread(double iqrSeconds, int steps) {
            this.stepSecondsIqr = iqrSeconds;
            this.measuredSteps = steps;
            return this;
        }

        /** Builds the trial. */
        public Trial build() {
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
                    stepSecondsIqr,
                    measuredSteps);
        }
    }
}
