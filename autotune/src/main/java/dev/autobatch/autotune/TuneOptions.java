package dev.autobatch.autotune;

import ai.djl.training.TrainingConfig;
import dev.autobatch.autotune.advice.LearningRateAdvice;
import dev.autobatch.autotune.budget.MemoryBudget;
import dev.autobatch.autotune.search.Goal;
import dev.autobatch.autotune.search.SearchSettings;
import dev.autobatch.core.Checks;
import dev.autobatch.core.DjlTrialRunner;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.function.Supplier;

/**
 * Options of {@link AutoBatch#tune(ai.djl.Model, ai.djl.training.dataset.Dataset, TuneOptions)}.
 * Every option has a default that works for a DJL user; build with {@link #builder()}.
 */
public final class TuneOptions {

    /** The default fraction of the training device's available memory a trial may use. */
    public static final double DEFAULT_MEMORY_FRACTION = MemoryBudget.DEFAULT_FRACTION;
    /** The default relative throughput gain below which more batch is not worth it: 5%. */
    public static final double DEFAULT_SATURATION_THRESHOLD = 0.05;
    /** The default first batch size tried. */
    public static final int DEFAULT_START_BATCH_SIZE = 2;
    /** The default unmeasured steps a trial runs before measuring. */
    public static final int DEFAULT_WARMUP_STEPS = 2;
    /** The default measured steps a trial. */
    public static final int DEFAULT_MEASURED_STEPS = 5;
    /** The default wall-time cap of one trial, warm-up included, in seconds. */
    public static final double DEFAULT_MAX_TRIAL_SECONDS = 10;
    /** The system property that moves the default cache directory, such as for a build's tests. */
    public static final String CACHE_DIRECTORY_PROPERTY = "autobatch.cache.dir";
    /**
     * The system property that turns the cache off by default when {@code "false"}, such as for a
     * build's tests; {@link Builder#optCache(boolean)} still decides for one tuning.
     */
    public static final String CACHE_PROPERTY = "autobatch.cache";

    private final Goal goal;
    private final long memoryBudgetBytes;
    private final double memoryFraction;
    private final double saturationThreshold;
    private final int startBatchSize;
    private final int maxBatchSize;
    private final TrainingConfig trainingConfig;
    private final Supplier<? extends TrainingConfig> trainingConfigSupplier;
    private final int warmupSteps;
    private final int measuredSteps;
    private final TuningListener listener;
    private final Path reportDirectory;
    private final int referenceBatchSize;
    private final double referenceLearningRate;
    private final int targetBatchSize;
    private final Path cacheDirectory;
    private final boolean cache;
    private final boolean force;
    private final Duration timeBudget;
    private final double maxTrialSeconds;

    private TuneOptions(Builder builder) {
        goal = builder.goal;
        memoryBudgetBytes = builder.memoryBudgetBytes;
        memoryFraction = builder.memoryFraction;
        saturationThreshold = builder.saturationThreshold;
        startBatchSize = builder.startBatchSize;
        maxBatchSize = builder.maxBatchSize;
        trainingConfig = builder.trainingConfig;
        trainingConfigSupplier = builder.trainingConfigSupplier;
        warmupSteps = builder.warmupSteps;
        measuredSteps = builder.measuredSteps;
        listener = builder.listener;
        reportDirectory = builder.reportDirectory;
        referenceBatchSize = builder.referenceBatchSize;
        referenceLearningRate = builder.referenceLearningRate;
        targetBatchSize = builder.targetBatchSize;
        cacheDirectory = builder.cacheDirectory;
        cache = builder.cache;
        force = builder.force;
        timeBudget = builder.timeBudget;
        maxTrialSeconds = builder.maxTrialSeconds;
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

    /** @return the goal; default {@link Goal#DEFAULT} */
    public Goal goal() {
        return goal;
    }

    /** @return the wall time the whole tuning may take; default {@link SearchSettings#DEFAULT_TIME_BUDGET} */
    public Duration timeBudget() {
        return timeBudget;
    }

    /** @return the wall-time cap of one trial in seconds; default {@value #DEFAULT_MAX_TRIAL_SECONDS} */
    public double maxTrialSeconds() {
        return maxTrialSeconds;
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

    /**
     * @return the user's training configuration, which the trials leave as it was; empty where
     *     none was given or a supplier was
     */
    public Optional<TrainingConfig> trainingConfig() {
        return Optional.ofNullable(trainingConfig);
    }

    /** @return where the trials' own configuration comes from; empty unless a supplier was given */
    public Optional<Supplier<? extends TrainingConfig>> trainingConfigSupplier() {
        return Optional.ofNullable(trainingConfigSupplier);
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

    /** @return the reference batch size {@code B0}; default {@value LearningRateAdvice#DEFAULT_REFERENCE_BATCH_SIZE} */
    public int referenceBatchSize() {
        return referenceBatchSize;
    }

    /**
     * @return the learning rate known to work at the reference batch size, or empty to read it
     *     from the training configuration's optimizer (or, failing that, use {@value
     *     DjlTrialRunner#DEFAULT_LEARNING_RATE})
     */
    public OptionalDouble referenceLearningRate() {
        return referenceLearningRate > 0 ? OptionalDouble.of(referenceLearningRate) : OptionalDouble.empty();
    }

    /** @return the global batch size to plan for, or empty for none */
    public Optional<Integer> targetBatchSize() {
        return targetBatchSize > 0 ? Optional.of(targetBatchSize) : Optional.empty();
    }

    /** @return the directory of cached results; default {@link #defaultCacheDirectory()} */
    public Path cacheDirectory() {
        return cacheDirectory != null ? cacheDirectory : defaultCacheDirectory();
    }

    /**
     * @return whether results are cached and cached results returned; default {@code true}, or
     *     {@code false} where the system property {@value #CACHE_PROPERTY} is {@code "false"}
     */
    public boolean cache() {
        return cache;
    }

    /** @return whether to tune even where a cached result exists; default {@code false} */
    public boolean force() {
        return force;
    }

    /**
     * Returns where results are cached unless {@link Builder#optCacheDirectory(Path)} says
     * otherwise: the system property {@value #CACHE_DIRECTORY_PROPERTY} if set; else {@code
     * autobatch} under {@code $XDG_CACHE_HOME} if that is an absolute path; else {@code
     * ~/.cache/autobatch}.
     *
     * @return the directory, which need not exist yet
     */
    public static Path defaultCacheDirectory() {
        String property = System.getProperty(CACHE_DIRECTORY_PROPERTY);
        if (property != null && !property.isBlank()) {
            return Path.of(property);
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()) {
            return Path.of(xdg, "autobatch");
        }
        return Path.of(System.getProperty("user.home"), ".cache", "autobatch");
    }

    /** Builds {@link TuneOptions}; DJL's convention: {@code optX} for each optional value. */
    public static final class Builder {

        private Goal goal = Goal.DEFAULT;
        private Duration timeBudget = SearchSettings.DEFAULT_TIME_BUDGET;
        private double maxTrialSeconds = DEFAULT_MAX_TRIAL_SECONDS;
        private long memoryBudgetBytes;
        private double memoryFraction = DEFAULT_MEMORY_FRACTION;
        private double saturationThreshold = DEFAULT_SATURATION_THRESHOLD;
        private int startBatchSize = DEFAULT_START_BATCH_SIZE;
        private int maxBatchSize;
        private TrainingConfig trainingConfig;
        private Supplier<? extends TrainingConfig> trainingConfigSupplier;
        private int warmupSteps = DEFAULT_WARMUP_STEPS;
        private int measuredSteps = DEFAULT_MEASURED_STEPS;
        private TuningListener listener = TuningListener.NONE;
        private Path reportDirectory;
        private int referenceBatchSize = LearningRateAdvice.DEFAULT_REFERENCE_BATCH_SIZE;
        private double referenceLearningRate;
        private int targetBatchSize;
        private Path cacheDirectory;
        private boolean cache = !"false"
                .equalsIgnoreCase(System.getProperty(CACHE_PROPERTY, "true").trim());
        private boolean force;

        private Builder() {}

        /**
         * Sets what to optimise (default {@link Goal#DEFAULT}, {@link Goal#BALANCED}).
         *
         * @param goal the goal
         * @return this builder
         */
        public Builder optGoal(Goal goal) {
            this.goal = Objects.requireNonNull(goal, "goal");
            return this;
        }

        /**
         * Sets the wall time the whole search may take (default {@link
         * SearchSettings#DEFAULT_TIME_BUDGET}, 60 s): no trial predicted to end past it is started,
         * and the result says where that cut the search short.
         *
         * @param budget a positive duration
         * @return this builder
         */
        public Builder optTimeBudget(Duration budget) {
            this.timeBudget = Checks.positive(budget, "the time budget", "60 s is the default");
            return this;
        }

        /**
         * Sets the wall-time cap of one trial, warm-up included (default {@value
         * #DEFAULT_MAX_TRIAL_SECONDS} s): a trial measures until its median step time is known to
         * 2% or this much time has passed, whichever comes first.
         *
         * @param seconds positive and finite
         * @return this builder
         */
        public Builder optMaxTrialSeconds(double seconds) {
            this.maxTrialSeconds = Checks.positiveAndFinite(seconds, "maximum trial seconds", "10 is the default");
            return this;
        }

        /**
         * Sets the memory budget in bytes, instead of a fraction of what is available. A budget
         * above the memory free to this process (in a container: its limit less what the whole
         * group uses, plus what this process holds) gives way to the default budget, 80% of that
         * room, with a warning naming both figures: trials planned past the room would be ended by
         * the kernel's out-of-memory killer.
         *
         * @param bytes the budget, positive
         * @return this builder
         */
        public Builder optMemoryBudgetBytes(long bytes) {
            this.memoryBudgetBytes = Checks.positiveBudget(bytes);
            return this;
        }

        /**
         * Sets the budget as a fraction of the memory free to this process on the training device
         * (default 0.8): on a host, the available memory plus what this process holds; in a
         * container, its limit less what the whole group uses, plus what this process holds; on a
         * GPU, the device's free memory, on top of what is in use.
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
            this.saturationThreshold =
                    Checks.inOpenUnitInterval(threshold, "saturation threshold", "0.05 (5%) is the default");
            return this;
        }

        /**
         * Sets the first batch size tried (default 2).
         *
         * @param size at least 1
         * @return this builder
         */
        public Builder optStartBatchSize(int size) {
            this.startBatchSize = Checks.atLeastOne(size, "start batch size", "2 is the default");
            return this;
        }

        /**
         * Sets the largest batch size the search may try (default: a fraction of the data set).
         *
         * @param size at least the start batch size
         * @return this builder
         */
        public Builder optMaxBatchSize(int size) {
            this.maxBatchSize = Checks.atLeastOne(size, "maximum batch size", "");
            return this;
        }

        /**
         * Sets the training configuration the trials train with (default: softmax cross-entropy
         * and SGD): the one you train with afterwards. The trials use its loss, initializers,
         * devices, optimizer and evaluators, and none of its listeners (no checkpoint is written,
         * no callback runs); they leave it, and the model, exactly as they were (see {@code
         * DjlTrialRunner}), so training afterwards gives what it would have given without tuning.
         * A configuration holding state that cannot be copied (an optimizer of your own with a
         * native resource, say) is refused; give {@link #optTrainingConfig(Supplier)} then.
         *
         * @param config the configuration
         * @return this builder
         */
        public Builder optTrainingConfig(TrainingConfig config) {
            this.trainingConfig = Objects.requireNonNull(config, "config");
            this.trainingConfigSupplier = null;
            return this;
        }

        /**
         * Sets where the trials' own training configuration comes from, called once a tuning:
         * for a configuration whose state {@link #optTrainingConfig(TrainingConfig)} cannot copy.
         *
         * @param configs gives a new configuration, as your training would build it
         * @return this builder
         */
        public Builder optTrainingConfig(Supplier<? extends TrainingConfig> configs) {
            this.trainingConfigSupplier = Objects.requireNonNull(configs, "configs");
            this.trainingConfig = null;
            return this;
        }

        /**
         * Sets the least unmeasured steps each trial runs first (default 2); more run while step
         * time is still falling.
         *
         * @param steps zero or more
         * @return this builder
         */
        public Builder optWarmupSteps(int steps) {
            this.warmupSteps = Checks.zeroOrMore(steps, "warm-up steps");
            return this;
        }

        /**
         * Sets the least measured steps of each trial (default 5); more run until the median step
         * time is known to 2% and at least 0.25 s were measured, or the trial's cap is reached.
         *
         * @param steps at least 1
         * @return this builder
         */
        public Builder optMeasuredSteps(int steps) {
            this.measuredSteps = Checks.atLeastOne(steps, "measured steps", "5 is the default");
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
         * Sets the reference batch size {@code B0} (default {@value
         * LearningRateAdvice#DEFAULT_REFERENCE_BATCH_SIZE}): the batch size at which the reference
         * learning rate is known to work, and at which {@link Goal#GOODPUT} counts a sample's
         * progress in full. Give the batch size your recipe was tuned at.
         *
         * @param size at least 1
         * @return this builder
         */
        public Builder optReferenceBatchSize(int size) {
            this.referenceBatchSize = Checks.atLeastOne(size, "reference batch size", "32 is the default");
            return this;
        }

        /**
         * Sets the learning rate known to work at the reference batch size, from which the result
         * advises the rate for the chosen size ({@link LearningRateAdvice}). Default: read from
         * the training configuration's optimizer where possible, else {@value
         * DjlTrialRunner#DEFAULT_LEARNING_RATE}, the default configuration's rate.
         *
         * @param rate positive and finite
         * @return this builder
         */
        public Builder optReferenceLearningRate(double rate) {
            if (!(rate > 0) || Double.isInfinite(rate)) {
                throw new IllegalArgumentException("reference learning rate must be positive and finite, got " + rate
                        + "; give the rate that works at the reference batch size");
            }
            this.referenceLearningRate = rate;
            return this;
        }

        /**
         * Sets a global batch size to train at (default none). The result's {@link
         * TuningResult#accumulation() plan} reaches it: as it is where it fits, else with
         * micro-batches of the tuned size and gradient accumulation ({@link AccumulationPlan}).
         * The learning-rate advice is then for this batch size.
         *
         * @param size at least 1
         * @return this builder
         */
        public Builder optTargetBatchSize(int size) {
            this.targetBatchSize = Checks.atLeastOne(size, "target batch size", "");
            return this;
        }

        /**
         * Sets the directory of cached results (default {@link TuneOptions#defaultCacheDirectory()}).
         *
         * @param directory the directory; created when the first result is stored
         * @return this builder
         */
        public Builder optCacheDirectory(Path directory) {
            this.cacheDirectory = Objects.requireNonNull(directory, "directory");
            return this;
        }

        /**
         * Sets whether to use the cache of results (default {@code true}, unless the system
         * property {@value TuneOptions#CACHE_PROPERTY} is {@code "false"}): a tuning of the same
         * model, input shape and options on the same machine and engine returns the stored result
         * without running a trial. {@code false} neither reads nor writes it.
         *
         * @param cache {@code false} to tune every time and store nothing
         * @return this builder
         */
        public Builder optCache(boolean cache) {
            this.cache = cache;
            return this;
        }

        /**
         * Sets whether to tune even where a cached result exists (default {@code false}); the new
         * result then replaces the cached one.
         *
         * @param force {@code true} to tune again
         * @return this builder
         */
        public Builder optForce(boolean force) {
            this.force = force;
            return this;
        }

        /**
         * Builds the options.
         *
         * @return the options
         * @throws IllegalArgumentException if the maximum is below the start
         */
        public TuneOptions build() {
            if (maxBatchSize > 0) {
                Checks.maxNotBelowStart(maxBatchSize, startBatchSize);
            }
            return new TuneOptions(this);
        }
    }
}
