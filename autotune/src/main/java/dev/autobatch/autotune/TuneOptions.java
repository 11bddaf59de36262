package dev.autobatch.autotune;

import ai.djl.training.TrainingConfig;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * Options of {@link AutoBatch#tune(ai.djl.Model, ai.djl.training.dataset.Dataset, TuneOptions)}.
 * Every option has a default that works for a DJL user; build with {@link #builder()}.
 */
public final class TuneOptions {

    /** The default fraction of the training device's available memory a trial may use. */
    public static final double DEFAULT_MEMORY_FRACTION = 0.8;
    /** The default relative throughput gain below which more batch is not worth it: 5%. */
    public static final double DEFAULT_SATURATION_THRESHOLD = 0.05;
    /** The default first batch size tried. */
    public static final int DEFAULT_START_BATCH_SIZE = 2;
    /** The default unmeasured steps a trial runs before measuring. */
    public static final int DEFAULT_WARMUP_STEPS = 2;
    /** The default measured steps a trial. */
    public static final int DEFAULT_MEASURED_STEPS = 5;

    private final Goal goal;
    private final long memoryBudgetBytes;
    private final double memoryFraction;
    private final double saturationThreshold;
    private final int startBatchSize;
    private final int maxBatchSize;
    private final TrainingConfig trainingConfig;
    private final int warmupSteps;
    private final int measuredSteps;
    private final TuningListener listener;
    private final Path reportDirectory;

    private TuneOptions(Builder builder) {
        goal = builder.goal;
        memoryBudgetBytes = builder.memoryBudgetBytes;
        memoryFraction = builder.memoryFraction;
        saturationThreshold = builder.saturationThreshold;
        startBatchSize = builder.startBatchSize;
        maxBatchSize = builder.maxBatchSize;
        trainingConfig = builder.trainingConfig;
        warmupSteps = builder.warmupSteps;
        measuredSteps = builder.measuredSteps;
        listener = builder.listener;
        reportDirectory = builder.reportDirectory;
    }

    /**
     * Returns a builder with every default.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Returns the options with every default.
     *
     * @return the default options
     */
    public static TuneOptions defaults() {
        return builder().build();
    }

    /** @return the goal; default {@link Goal#THROUGHPUT} */
    public Goal goal() {
        return goal;
    }

    /** @return the memory budget in bytes, or empty to derive it from the hardware */
    public Optional<Long> memoryBudgetBytes() {
        return memoryBudgetBytes > 0 ? Optional.of(memoryBudgetBytes) : Optional.empty();
    }

    /** @return the fraction of the training device's available memory to budget */
    public double memoryFraction() {
        return memoryFraction;
    }

    /** @return the saturation threshold, in (0, 1) */
    public double saturationThreshold() {
        return saturationThreshold;
    }

    /** @return the first batch size tried */
    public int startBatchSize() {
        return startBatchSize;
    }

    /** @return the user's maximum batch size, or empty for the cap derived from the data */
    public Optional<Integer> maxBatchSize() {
        return maxBatchSize > 0 ? Optional.of(maxBatchSize) : Optional.empty();
    }

    /** @return the training configuration, or empty for softmax cross-entropy and SGD */
    public Optional<TrainingConfig> trainingConfig() {
        return Optional.ofNullable(trainingConfig);
    }

    /** @return unmeasured steps before each trial's measured steps */
    public int warmupSteps() {
        return warmupSteps;
    }

    /** @return measured steps a trial */
    public int measuredSteps() {
        return measuredSteps;
    }

    /** @return the listener told of each trial */
    public TuningListener listener() {
        return listener;
    }

    /** @return the directory report files are written to, or empty to write none */
    public Optional<Path> reportDirectory() {
        return Optional.ofNullable(reportDirectory);
    }

    /** Builds {@link TuneOptions}; DJL's convention: {@code optX} for each optional value. */
    public static final class Builder {

        private Goal goal = Goal.THROUGHPUT;
        private long memoryBudgetBytes;
        private double memoryFraction = DEFAULT_MEMORY_FRACTION;
        private double saturationThreshold = DEFAULT_SATURATION_THRESHOLD;
        private int startBatchSize = DEFAULT_START_BATCH_SIZE;
        private int maxBatchSize;
        private TrainingConfig trainingConfig;
        private int warmupSteps = DEFAULT_WARMUP_STEPS;
        private int measuredSteps = DEFAULT_MEASURED_STEPS;
        private TuningListener listener = TuningListener.NONE;
        private Path reportDirectory;

        private Builder() {}

        /**
         * Sets what to optimise.
         *
         * @param goal the goal
         * @return this builder
         */
        public Builder optGoal(Goal goal) {
            this.goal = Objects.requireNonNull(goal, "goal");
            return this;
        }

        /**
         * Sets the memory budget in bytes, instead of a fraction of what is available.
         *
         * @param bytes the budget, positive
         * @return this builder
         */
        public Builder optMemoryBudgetBytes(long bytes) {
            if (bytes <= 0) {
                throw new IllegalArgumentException(
                        "memory budget must be positive, got "
                                + bytes
                                + " bytes; give bytes above zero or use optMemoryFraction");
            }
            this.memoryBudgetBytes = bytes;
            return this;
        }

        /**
         * Sets the budget as a fraction of the training device's available memory (default 0.8).
         *
         * @param fraction in (0, 1]
         * @return this builder
         */
        public Builder optMemoryFraction(double fraction) {
            if (!(fraction > 0 && fraction <= 1)) {
                throw new IllegalArgumentException(
                        "memory fraction must be in (0, 1], got " + fraction + "; 0.8 is the default");
            }
            this.memoryFraction = fraction;
            return this;
        }

        /**
         * Sets the relative throughput gain below which more batch is not worth it (default 0.05).
         *
         * @param threshold in (0, 1)
         * @return this builder
         */
        public Builder optSaturationThreshold(double threshold) {
            if (!(threshold > 0 && threshold < 1)) {
                throw new IllegalArgumentException(
                        "saturation threshold must be in (0, 1), got "
                                + threshold
                                + "; 0.05 (5%) is the default");
            }
            this.saturationThreshold = threshold;
            return this;
        }

        /**
         * Sets the first batch size tried (default 2).
         *
         * @param size at least 1
         * @return this builder
         */
        public Builder optStartBatchSize(int size) {
            if (size < 1) {
                throw new IllegalArgumentException("start batch size must be at least 1, got " + size);
            }
            this.startBatchSize = size;
            return this;
        }

        /**
         * Sets the largest batch size the search may try (default: a fraction of the data set).
         *
         * @param size at least the start batch size
         * @return this builder
         */
        public Builder optMaxBatchSize(int size) {
            if (size < 1) {
                throw new IllegalArgumentException("maximum batch size must be at least 1, got " + size);
            }
            this.maxBatchSize = size;
            return this;
        }

        /**
         * Sets the training configuration the trials train with (default: softmax cross-entropy
         * and SGD). Its optimizer's state advances during the trials: give tuning its own
         * configuration rather than the one you train with afterwards.
         *
         * @param config the configuration
         * @return this builder
         */
        public Builder optTrainingConfig(TrainingConfig config) {
            this.trainingConfig = Objects.requireNonNull(config, "config");
            return this;
        }

        /**
         * Sets the unmeasured steps each trial runs first (default 2).
         *
         * @param steps zero or more
         * @return this builder
         */
        public Builder optWarmupSteps(int steps) {
            if (steps < 0) {
                throw new IllegalArgumentException("warm-up steps must be zero or more, got " + steps);
            }
            this.warmupSteps = steps;
            return this;
        }

        /**
         * Sets the measured steps of each trial (default 5).
         *
         * @param steps at least 1
         * @return this builder
         */
        public Builder optMeasuredSteps(int steps) {
            if (steps < 1) {
                throw new IllegalArgumentException("measured steps must be at least 1, got " + steps);
            }
            this.measuredSteps = steps;
            return this;
        }

        /**
         * Sets the listener told of each trial as it completes.
         *
         * @param listener the listener
         * @return this builder
         */
        public Builder optListener(TuningListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * Sets a directory to write the report files to after tuning: {@code report.json},
         * {@code report.md}, {@code chart.svg} and {@code chart.png} (default: none).
         *
         * @param directory the directory; created if missing
         * @return this builder
         */
        public Builder optReportDirectory(Path directory) {
            this.reportDirectory = Objects.requireNonNull(directory, "directory");
            return this;
        }

        /**
         * Builds the options.
         *
         * @return the options
         * @throws IllegalArgumentException if the maximum is below the start
         */
        public TuneOptions build() {
            if (maxBatchSize > 0 && maxBatchSize < startBatchSize) {
                throw new IllegalArgumentException(
                        "maximum batch size "
                                + maxBatchSize
                                + " is below the start batch size "
                                + startBatchSize
                                + "; raise the maximum or lower the start");
            }
            return new TuneOptions(this);
        }
    }
}
