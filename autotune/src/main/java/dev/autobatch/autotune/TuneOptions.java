package dev.autobatch.autotune;

import static dev.autobatch.autotune.internal.OptionText.constant;
import static dev.autobatch.autotune.internal.OptionText.orNone;

import ai.djl.training.TrainingConfig;
import dev.autobatch.autotune.advice.LearningRateAdvice;
import dev.autobatch.autotune.budget.BudgetSpec;
import dev.autobatch.autotune.budget.MemoryBudget;
import dev.autobatch.autotune.cache.ResultCache;
import dev.autobatch.autotune.internal.OptionText;
import dev.autobatch.autotune.search.Goal;
import dev.autobatch.autotune.search.SearchSettings;
import dev.autobatch.core.Checks;
import dev.autobatch.core.DjlTrialRunner;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Options of {@link AutoBatch#tune(ai.djl.Model, ai.djl.training.dataset.Dataset, TuneOptions)}: the
 * one place each option is declared, defaulted, validated and documented (on its {@code optX}
 * method); the search, the Maven plugin and the cache key read options from here. Every default
 * works for a DJL user. Build with {@link #builder()}, or by name from text with {@link
 * Builder#fromProperties(String, Map)}; each getter returns what its {@code optX} set.
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
    /** The system property that moves the default cache directory: {@link ResultCache#DIRECTORY_PROPERTY}. */
    public static final String CACHE_DIRECTORY_PROPERTY = ResultCache.DIRECTORY_PROPERTY;
    /** The system property that turns the cache off by default: {@link ResultCache#ENABLED_PROPERTY}. */
    public static final String CACHE_PROPERTY = ResultCache.ENABLED_PROPERTY;

    /**
     * The options that can be set by name, one line each: name, how its text reads, its setter,
     * and its value in the cache key ({@link #cacheFields()}; {@code null} for an option that
     * changes no result). Keep the key's names and texts: stored caches were written with them.
     * {@code referenceLearningRate} is keyed as {@link AutoBatch} resolves it, so AutoBatch adds it.
     */
    private static final OptionText.Table<Builder> NAMED = new OptionText.Table<Builder>()
            .add("goal", (w, t) -> constant(w, t, Goal.class, Goal.DEFAULT), Builder::optGoal, v -> v.goal.name())
            .add("memoryBudget", (w, t) -> t, Builder::optMemoryBudget, Builder::budgetKey)
            .add("saturationThreshold", OptionText::number, Builder::optSaturationThreshold, v -> v.saturationThreshold)
            .add("startBatchSize", OptionText::whole, Builder::optStartBatchSize, v -> v.startBatchSize)
            .add("maxBatchSize", OptionText::whole, Builder::optMaxBatchSize, v -> orNone(v.maxBatchSize, "default"))
            .add("warmupSteps", OptionText::whole, Builder::optWarmupSteps, v -> v.warmupSteps)
            .add("measuredSteps", OptionText::whole, Builder::optMeasuredSteps, v -> v.measuredSteps)
            .add("maxTrialSeconds", OptionText::number, Builder::optMaxTrialSeconds, v -> v.maxTrialSeconds)
            .add("timeBudget", OptionText::duration, Builder::optTimeBudget, v -> v.timeBudget)
            .add("referenceBatchSize", OptionText::whole, Builder::optReferenceBatchSize, v -> v.referenceBatchSize)
            .add("referenceLearningRate", OptionText::number, Builder::optReferenceLearningRate, null)
            .add(
                    "targetBatchSize",
                    OptionText::whole,
                    Builder::optTargetBatchSize,
                    v -> orNone(v.targetBatchSize, "none"))
            .add("reportDirectory", OptionText::path, Builder::optReportDirectory, null)
            .add("cacheDirectory", OptionText::path, Builder::optCacheDirectory, null)
            .add("cache", OptionText::bool, Builder::optCache, null)
            .add("force", OptionText::bool, Builder::optForce, null);

    /** The builder's values, copied by {@link Builder#build()}: the builder's later changes do not reach here. */
    private final Builder values;

    private TuneOptions(Builder builder) {
        values = builder.copy();
    }

    /** @return a builder with every default */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the options with every default */
    public static TuneOptions defaults() {
        return builder().build();
    }

    /** @return a new builder holding these options, to change some of them */
    public Builder toBuilder() {
        return values.copy();
    }

    /** @return the names {@link Builder#fromProperties} accepts, in the order of the docs */
    public static Set<String> names() {
        return NAMED.names();
    }

    /**
     * Returns the options that change a tuning's result as the cache key's {@code options.*} fields
     * ({@link dev.autobatch.autotune.cache.CacheKey}), less the run's facts that the caller adds.
     *
     * @return such as {@code goal=BALANCED}, {@code memoryBudget=fraction 0.8}, sorted by name
     */
    public Map<String, String> cacheFields() {
        return NAMED.keyFields(values);
    }

    /** @return what to optimise */
    public Goal goal() {
        return values.goal;
    }

    /** @return the wall time the whole tuning may take */
    public Duration timeBudget() {
        return values.timeBudget;
    }

    /** @return the wall-time cap of one trial in seconds */
    public double maxTrialSeconds() {
        return values.maxTrialSeconds;
    }

    /** @return the memory budget in bytes, or empty for a fraction of the free memory */
    public Optional<Long> memoryBudgetBytes() {
        return values.memoryBudgetBytes > 0 ? Optional.of(values.memoryBudgetBytes) : Optional.empty();
    }

    /** @return the fraction of the training device's free memory to budget */
    public double memoryFraction() {
        return values.memoryFraction;
    }

    /** @return the saturation threshold, in (0, 1) */
    public double saturationThreshold() {
        return values.saturationThreshold;
    }

    /** @return the first batch size tried */
    public int startBatchSize() {
        return values.startBatchSize;
    }

    /** @return the user's maximum batch size, or empty for the cap derived from the data */
    public Optional<Integer> maxBatchSize() {
        return values.maxBatchSize > 0 ? Optional.of(values.maxBatchSize) : Optional.empty();
    }

    /** @return the user's training configuration; empty where none or a supplier was given */
    public Optional<TrainingConfig> trainingConfig() {
        return Optional.ofNullable(values.trainingConfig);
    }

    /** @return where the trials' own configuration comes from; empty unless a supplier was given */
    public Optional<Supplier<? extends TrainingConfig>> trainingConfigSupplier() {
        return Optional.ofNullable(values.trainingConfigSupplier);
    }

    /** @return unmeasured steps before each trial's measured steps */
    public int warmupSteps() {
        return values.warmupSteps;
    }

    /** @return measured steps a trial */
    public int measuredSteps() {
        return values.measuredSteps;
    }

    /** @return the listener told of each trial */
    public TuningListener listener() {
        return values.listener;
    }

    /** @return the directory report files are written to, or empty to write none */
    public Optional<Path> reportDirectory() {
        return Optional.ofNullable(values.reportDirectory);
    }

    /** @return the reference batch size {@code B0} */
    public int referenceBatchSize() {
        return values.referenceBatchSize;
    }

    /** @return the learning rate that works at the reference batch size; empty to read it */
    public OptionalDouble referenceLearningRate() {
        double rate = values.referenceLearningRate;
        return rate > 0 ? OptionalDouble.of(rate) : OptionalDouble.empty();
    }

    /** @return the global batch size to plan for, or empty for none */
    public Optional<Integer> targetBatchSize() {
        return values.targetBatchSize > 0 ? Optional.of(values.targetBatchSize) : Optional.empty();
    }

    /** @return the directory of cached results */
    public Path cacheDirectory() {
        return values.cacheDirectory != null ? values.cacheDirectory : defaultCacheDirectory();
    }

    /** @return whether results are cached and cached results returned */
    public boolean cache() {
        return values.cache;
    }

    /** @return whether to tune even where a cached result exists */
    public boolean force() {
        return values.force;
    }

    /** @return where results are cached by default, as {@link ResultCache#defaultDirectory()} says */
    public static Path defaultCacheDirectory() {
        return ResultCache.defaultDirectory();
    }

    /**
     * Builds {@link TuneOptions}; DJL's convention: {@code optX} for each optional value. Each
     * {@code optX} throws {@link IllegalArgumentException} for a value out of range, naming it,
     * what was given and the fix, and returns this builder.
     */
    public static final class Builder implements Cloneable {

        private Goal goal = Goal.DEFAULT;
        private Duration timeBudget = SearchSettings.DEFAULT_TIME_BUDGET;
        private double maxTrialSeconds = DEFAULT_MAX_TRIAL_SECONDS;
        private long memoryBudgetBytes; // 0: a fraction of the free memory
        private double memoryFraction = DEFAULT_MEMORY_FRACTION;
        private double saturationThreshold = DEFAULT_SATURATION_THRESHOLD;
        private int startBatchSize = DEFAULT_START_BATCH_SIZE;
        private int maxBatchSize; // 0: none
        private TrainingConfig trainingConfig;
        private Supplier<? extends TrainingConfig> trainingConfigSupplier;
        private int warmupSteps = DEFAULT_WARMUP_STEPS;
        private int measuredSteps = DEFAULT_MEASURED_STEPS;
        private TuningListener listener = TuningListener.NONE;
        private Path reportDirectory;
        private int referenceBatchSize = LearningRateAdvice.DEFAULT_REFERENCE_BATCH_SIZE;
        private double referenceLearningRate; // 0: read from the optimizer
        private int targetBatchSize; // 0: none
        private Path cacheDirectory; // null: defaultCacheDirectory()
        private boolean cache = ResultCache.enabledByDefault();
        private boolean force;
        private String prefix; // how errors name options: null for the Java API's words

        private Builder() {}

        /**
         * Sets options by name from text, as an entry point such as the Maven plugin receives them:
         * names as {@link TuneOptions#names()} lists them, each read as its {@code optX} documents
         * (a goal in any case; a budget as {@link BudgetSpec} reads it; a duration in seconds or
         * ISO-8601); a blank value leaves the default. Errors then name options as the entry point
         * does: {@code "autobatch.maxBatchSize must be at least 1, got 0; leave it unset to let the
         * training set's size cap the search"}.
         *
         * @param prefix put before each name in errors, such as {@code "autobatch."}; may be empty
         * @param options the text by name
         * @return this builder
         */
        public Builder fromProperties(String prefix, Map<String, String> options) {
            this.prefix = Objects.requireNonNull(prefix, "prefix");
            NAMED.set(this, prefix, options);
            return this;
        }

        private Object budgetKey() {
            return memoryBudgetBytes > 0 ? memoryBudgetBytes + " bytes" : "fraction " + memoryFraction;
        }

        private String what(String name, String words) {
            return prefix == null ? words : prefix + name;
        }

        /** Sets what to optimise (default {@link Goal#DEFAULT}); see {@link Goal}. */
        public Builder optGoal(Goal goal) {
            this.goal = Objects.requireNonNull(goal, "goal");
            return this;
        }

        /**
         * Sets the wall time the whole search may take, positive (default 60 s): no trial predicted to end
         * past it is started, and the result says where that cut the search short.
         */
        public Builder optTimeBudget(Duration budget) {
            timeBudget = Checks.positive(budget, what("timeBudget", "the time budget"), "60 s is the default");
            return this;
        }

        /**
         * Sets the wall-time cap of one trial, warm-up included, positive (default {@value
         * #DEFAULT_MAX_TRIAL_SECONDS} s): a trial measures until its median step time is known to
         * 2% or this much time has passed.
         */
        public Builder optMaxTrialSeconds(double seconds) {
            maxTrialSeconds = Checks.positiveAndFinite(
                    seconds, what("maxTrialSeconds", "maximum trial seconds"), "10 is the default");
            return this;
        }

        /**
         * Sets the memory budget in bytes, positive. A budget above the memory free to this process (in a
         * container: its limit less what the group uses, plus what this process holds) gives way
         * to the default, 80% of that room, with a warning: trials planned past the room would be
         * ended by the kernel's out-of-memory killer.
         */
        public Builder optMemoryBudgetBytes(long bytes) {
            memoryBudgetBytes = Checks.positiveBudget(bytes);
            return this;
        }

        /**
         * Sets the budget as a fraction in (0, 1] of the memory free to this process on the training
         * device (default {@value #DEFAULT_MEMORY_FRACTION}): on a host, the available memory plus what
         * this process holds; in a container, its limit less what the group uses, plus what this
         * process holds; on a GPU, the device's free memory.
         */
        public Builder optMemoryFraction(double fraction) {
            if (!(fraction > 0 && fraction <= 1)) {
                throw new IllegalArgumentException(what("memoryBudget", "memory fraction") + " must be in (0, 1], got "
                        + fraction + "; 0.8 is the default");
            }
            memoryFraction = fraction;
            return this;
        }

        /**
         * Sets the budget from text as {@link BudgetSpec} reads it: a size ({@code 8g}, {@code 512m}) as {@link
         * #optMemoryBudgetBytes}, or a fraction ({@code 0.5}, {@code 50%}) as {@link #optMemoryFraction}.
         */
        public Builder optMemoryBudget(String text) {
            BudgetSpec budget = BudgetSpec.parse(text, what("memoryBudget", "memory budget"));
            return budget.isBytes() ? optMemoryBudgetBytes(budget.bytes()) : optMemoryFraction(budget.fraction());
        }

        /** Sets the throughput gain, in (0, 1), below which more batch is not worth it (default 5%). */
        public Builder optSaturationThreshold(double threshold) {
            saturationThreshold = Checks.inOpenUnitInterval(
                    threshold, what("saturationThreshold", "saturation threshold"), "0.05 (5%) is the default");
            return this;
        }

        /** Sets the first batch size tried, at least 1 (default {@value #DEFAULT_START_BATCH_SIZE}). */
        public Builder optStartBatchSize(int size) {
            startBatchSize = Checks.atLeastOne(size, what("startBatchSize", "start batch size"), "2 is the default");
            return this;
        }

        /** Sets the largest batch size to try, at least the start (default: a quarter of the data caps it). */
        public Builder optMaxBatchSize(int size) {
            maxBatchSize = Checks.atLeastOne(
                    size,
                    what("maxBatchSize", "maximum batch size"),
                    "leave it unset to let the training set's size cap the search");
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
         */
        public Builder optTrainingConfig(TrainingConfig config) {
            trainingConfig = Objects.requireNonNull(config, "config");
            trainingConfigSupplier = null;
            return this;
        }

        /**
         * Sets where the trials' own training configuration comes from, called once a tuning:
         * for a configuration whose state {@link #optTrainingConfig(TrainingConfig)} cannot copy.
         */
        public Builder optTrainingConfig(Supplier<? extends TrainingConfig> configs) {
            trainingConfigSupplier = Objects.requireNonNull(configs, "configs");
            trainingConfig = null;
            return this;
        }

        /** Sets the least unmeasured steps a trial runs first, 0 or more (default 2); more run while step time falls. */
        public Builder optWarmupSteps(int steps) {
            warmupSteps = Checks.zeroOrMore(steps, what("warmupSteps", "warm-up steps"));
            return this;
        }

        /**
         * Sets the least measured steps of a trial, at least 1 (default {@value #DEFAULT_MEASURED_STEPS}); more run
         * until the median step time is known to 2% and 0.25 s were measured, or the trial's cap is reached.
         */
        public Builder optMeasuredSteps(int steps) {
            measuredSteps = Checks.atLeastOne(steps, what("measuredSteps", "measured steps"), "5 is the default");
            return this;
        }

        /** Sets the listener told of each trial as it completes. */
        public Builder optListener(TuningListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * Sets a directory, created if missing, to write {@code report.json}, {@code report.md}, {@code chart.svg}
         * and {@code chart.png} to after tuning (default: no report).
         */
        public Builder optReportDirectory(Path directory) {
            reportDirectory = Objects.requireNonNull(directory, "directory");
            return this;
        }

        /**
         * Sets the reference batch size {@code B0}, at least 1 (default {@value
         * LearningRateAdvice#DEFAULT_REFERENCE_BATCH_SIZE}): where the reference learning rate is
         * known to work, and where {@link Goal#GOODPUT} counts a sample's progress in full. Give
         * the batch size your recipe was tuned at.
         */
        public Builder optReferenceBatchSize(int size) {
            referenceBatchSize =
                    Checks.atLeastOne(size, what("referenceBatchSize", "reference batch size"), "32 is the default");
            return this;
        }

        /**
         * Sets the learning rate, positive, known to work at the reference batch size, from which the result
         * advises the rate for the chosen size ({@link LearningRateAdvice}). Default: read from
         * the configuration's optimizer where possible, else {@value
         * DjlTrialRunner#DEFAULT_LEARNING_RATE}, the default configuration's rate.
         */
        public Builder optReferenceLearningRate(double rate) {
            referenceLearningRate = Checks.positiveAndFinite(
                    rate,
                    what("referenceLearningRate", "reference learning rate"),
                    "give the rate that works at the reference batch size");
            return this;
        }

        /**
         * Sets a global batch size to train at, at least 1 (default none): the result's {@link
         * TuningResult#accumulation() plan} reaches it as it is where it fits, else by gradient
         * accumulation over micro-batches of the tuned size; the learning-rate advice is for it.
         */
        public Builder optTargetBatchSize(int size) {
            targetBatchSize = Checks.atLeastOne(
                    size, what("targetBatchSize", "target batch size"), "leave it unset to plan for no target");
            return this;
        }

        /** Sets the directory of cached results (default {@link TuneOptions#defaultCacheDirectory()}). */
        public Builder optCacheDirectory(Path directory) {
            cacheDirectory = Objects.requireNonNull(directory, "directory");
            return this;
        }

        /**
         * Sets whether to use the cache (default {@code true}, unless the system property {@value
         * TuneOptions#CACHE_PROPERTY} is {@code "false"}): a tuning of the same model, input shape
         * and options on the same machine and engine returns the stored result without a trial.
         */
        public Builder optCache(boolean cache) {
            this.cache = cache;
            return this;
        }

        /** Sets whether to tune even where a cached result exists, and replace it (default {@code false}). */
        public Builder optForce(boolean force) {
            this.force = force;
            return this;
        }

        /** Builds the options; throws {@link IllegalArgumentException} if the maximum is below the start. */
        public TuneOptions build() {
            if (maxBatchSize > 0 && prefix == null) {
                Checks.maxNotBelowStart(maxBatchSize, startBatchSize);
            } else if (maxBatchSize > 0 && maxBatchSize < startBatchSize) {
                throw new IllegalArgumentException(prefix + "maxBatchSize must be at least the first batch size tried, "
                        + startBatchSize + ", got " + maxBatchSize + "; raise it, or lower " + prefix
                        + "startBatchSize");
            }
            return new TuneOptions(this);
        }

        private Builder copy() {
            try {
                return (Builder) super.clone(); // every field is a value or an immutable reference
            } catch (CloneNotSupportedException e) {
                throw new AssertionError(e);
            }
        }
    }
}
