package dev.autobatch.autotune;

import static dev.autobatch.autotune.internal.OptionText.BOOL;
import static dev.autobatch.autotune.internal.OptionText.BUDGET;
import static dev.autobatch.autotune.internal.OptionText.DURATION;
import static dev.autobatch.autotune.internal.OptionText.NUMBER;
import static dev.autobatch.autotune.internal.OptionText.PATH;
import static dev.autobatch.autotune.internal.OptionText.WHOLE;
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
import dev.autobatch.core.TrialOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * Options of {@link AutoBatch#tune(ai.djl.Model, ai.djl.training.dataset.Dataset, TuneOptions)}: the one place each
 * option is declared, defaulted, validated and documented (on its {@code optX} method); the search, the Maven plugin,
 * the CLI and the cache key read options from here, and the trials' own ones are {@link TrialOptions}. Every default
 * works for a DJL user. Build with {@link #builder()}, or by name from text with {@link
 * Builder#fromProperties(String, Map)}; each getter returns what its {@code optX} set, as that documents it.
 */
public final class TuneOptions {

    private static final ToDoubleFunction<TrialOptions> MIN_TIME = TrialOptions::minMeasuredSeconds;
    private static final ToDoubleFunction<TrialOptions> PRECISION = TrialOptions::targetPrecision;

    /**
     * The options that can be set by name, one line each: name, how its text reads, its setter, and its value in the
     * cache key ({@link #cacheFields()}; {@code null} for an option that changes no result). Keep the key's names and
     * texts: stored caches were written with them. AutoBatch keys {@code referenceLearningRate} as it resolves it.
     */
    private static final OptionText.Table<Builder, TuneOptions> NAMED = new OptionText.Table<Builder, TuneOptions>()
            .add("goal", (w, t) -> constant(w, t, Goal.class, Goal.DEFAULT), Builder::optGoal, TuneOptions::goal)
            .add("memoryBudget", BUDGET, Builder::optMemoryBudget, o -> o.values.memoryBudget.keyText())
            .add("saturationThreshold", NUMBER, Builder::optSaturationThreshold, o -> o.values.saturationThreshold)
            .add("startBatchSize", WHOLE, Builder::optStartBatchSize, TuneOptions::startBatchSize)
            .add("maxBatchSize", WHOLE, Builder::optMaxBatchSize, o -> orNone(o.maxBatchSize(), "default"))
            .add("warmupSteps", WHOLE, (b, v) -> b.trial.optWarmupSteps(v), o -> o.trial.warmupSteps())
            .add("measuredSteps", WHOLE, (b, v) -> b.trial.optMeasuredSteps(v), o -> o.trial.measuredSteps())
            .add("maxTrialSeconds", NUMBER, (b, v) -> b.trial.optMaxTrialSeconds(v), o -> o.trial.maxTrialSeconds())
            .add("minMeasuredSeconds", NUMBER, (b, v) -> b.trial.optMinMeasuredSeconds(v), o -> o.changed(MIN_TIME))
            .add("targetPrecision", NUMBER, (b, v) -> b.trial.optTargetPrecision(v), o -> o.changed(PRECISION))
            .add("timeBudget", DURATION, Builder::optTimeBudget, TuneOptions::timeBudget)
            .add("referenceBatchSize", WHOLE, Builder::optReferenceBatchSize, TuneOptions::referenceBatchSize)
            .add("referenceLearningRate", NUMBER, Builder::optReferenceLearningRate, null)
            .add("targetBatchSize", WHOLE, Builder::optTargetBatchSize, o -> orNone(o.targetBatchSize(), "none"))
            .add("reportDirectory", PATH, Builder::optReportDirectory, null)
            .add("cacheDirectory", PATH, Builder::optCacheDirectory, null)
            .add("cache", BOOL, Builder::optCache, null)
            .add("force", BOOL, Builder::optForce, null);

    /** The builder's values, copied by {@link Builder#build()}: the builder's later changes do not reach here. */
    private final Builder values;

    private final TrialOptions trial;

    private TuneOptions(Builder builder) {
        values = builder.copy();
        trial = builder.trial.build();
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
     * @return the options that change a tuning's result, as the cache key's {@code options.*} fields ({@link
     *     dev.autobatch.autotune.cache.CacheKey}) less the run's facts: {@code goal=BALANCED}, ..., sorted by name
     */
    public Map<String, String> cacheFields() {
        return NAMED.keyFields(this);
    }

    /** A trial option that older cache keys do not name: keyed only where it is not the default. */
    private Object changed(ToDoubleFunction<TrialOptions> option) {
        double value = option.applyAsDouble(trial);
        return value == option.applyAsDouble(TrialOptions.defaults()) ? null : value;
    }

    public Goal goal() {
        return values.goal;
    }

    public Duration timeBudget() {
        return values.timeBudget;
    }

    public BudgetSpec memoryBudget() {
        return values.memoryBudget;
    }

    public double saturationThreshold() {
        return values.saturationThreshold;
    }

    public int startBatchSize() {
        return values.startBatchSize;
    }

    public Optional<Integer> maxBatchSize() {
        return values.maxBatchSize > 0 ? Optional.of(values.maxBatchSize) : Optional.empty();
    }

    public TrialOptions trial() {
        return trial;
    }

    public TuningListener listener() {
        return values.listener;
    }

    public Optional<Path> reportDirectory() {
        return Optional.ofNullable(values.reportDirectory);
    }

    public int referenceBatchSize() {
        return values.referenceBatchSize;
    }

    public OptionalDouble referenceLearningRate() {
        double rate = values.referenceLearningRate;
        return rate > 0 ? OptionalDouble.of(rate) : OptionalDouble.empty();
    }

    public Optional<Integer> targetBatchSize() {
        return values.targetBatchSize > 0 ? Optional.of(values.targetBatchSize) : Optional.empty();
    }

    public Path cacheDirectory() {
        return values.cacheDirectory != null ? values.cacheDirectory : ResultCache.defaultDirectory();
    }

    public boolean cache() {
        return values.cache;
    }

    public boolean force() {
        return values.force;
    }

    /**
     * Builds {@link TuneOptions}; DJL's convention: {@code optX} for each optional value. Each
     * {@code optX} throws {@link IllegalArgumentException} for a value out of range, naming it,
     * what was given and the fix, and returns this builder.
     */
    public static final class Builder implements Cloneable {

        private Goal goal = Goal.DEFAULT;
        private Duration timeBudget = SearchSettings.DEFAULT_TIME_BUDGET;
        private BudgetSpec memoryBudget = BudgetSpec.DEFAULT;
        private double saturationThreshold = SearchSettings.DEFAULT_SATURATION_THRESHOLD;
        private int startBatchSize = SearchSettings.DEFAULT_START_BATCH_SIZE;
        private int maxBatchSize; // 0: none
        private TrialOptions.Builder trial = TrialOptions.builder();
        private TuningListener listener = TuningListener.NONE;
        private Path reportDirectory;
        private int referenceBatchSize = LearningRateAdvice.DEFAULT_REFERENCE_BATCH_SIZE;
        private double referenceLearningRate; // 0: read from the optimizer
        private int targetBatchSize; // 0: none
        private Path cacheDirectory; // null: ResultCache.defaultDirectory()
        private boolean cache = ResultCache.enabledByDefault();
        private boolean force;
        private String prefix; // how errors name options: null for the Java API's words

        private Builder() {}

        /**
         * Sets options by name from text, as an entry point such as the Maven plugin receives them: names as
         * {@link TuneOptions#names()} lists them, each read as its {@code optX} documents (a goal in any case; a budget
         * as {@link BudgetSpec} reads it; a duration in seconds or ISO-8601); a blank value leaves the default. Errors
         * then name options as the entry point does: {@code "autobatch.maxBatchSize must be at least 1, got 0; ..."}.
         *
         * @param prefix put before each name in errors, such as {@code "autobatch."}; may be empty
         * @param options the text by name
         * @return this builder
         */
        public Builder fromProperties(String prefix, Map<String, String> options) {
            this.prefix = Objects.requireNonNull(prefix, "prefix");
            trial.namingOptionsWith(prefix);
            NAMED.set(this, prefix, options);
            return this;
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
         * Sets the memory budget, a size or a fraction (default {@value MemoryBudget#DEFAULT_FRACTION} of the memory free to
         * this process on the training device, as {@link MemoryBudget} defines it). A size above that memory gives way
         * to the default, with a warning: trials planned past it would be ended by the kernel's out-of-memory killer.
         */
        public Builder optMemoryBudget(BudgetSpec budget) {
            memoryBudget = Objects.requireNonNull(budget, "budget");
            return this;
        }

        /** Sets the memory budget in bytes, positive, as {@link #optMemoryBudget(BudgetSpec)}. */
        public Builder optMemoryBudgetBytes(long bytes) {
            return optMemoryBudget(BudgetSpec.ofBytes(bytes, what("memoryBudget", "memory budget")));
        }

        /** Sets the memory budget as a fraction in (0, 1], as {@link #optMemoryBudget(BudgetSpec)}. */
        public Builder optMemoryFraction(double fraction) {
            return optMemoryBudget(BudgetSpec.ofFraction(fraction, what("memoryBudget", "memory fraction")));
        }

        /** Sets the throughput gain, in (0, 1), below which more batch is not worth it (default 5%). */
        public Builder optSaturationThreshold(double threshold) {
            saturationThreshold = Checks.inOpenUnitInterval(
                    threshold, what("saturationThreshold", "saturation threshold"), "0.05 (5%) is the default");
            return this;
        }

        /** Sets the first batch size tried, at least 1 (default {@value SearchSettings#DEFAULT_START_BATCH_SIZE}). */
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
         * Sets the training configuration the trials train with, the one you train with afterwards, as {@link
         * TrialOptions.Builder#optTrainingConfig(TrainingConfig)}: tuning leaves it, and the model, as they were.
         */
        public Builder optTrainingConfig(TrainingConfig config) {
            trial.optTrainingConfig(config);
            return this;
        }

        /** Sets where the trials' own configuration comes from, as {@link TrialOptions.Builder#optTrainingConfig(Supplier)}. */
        public Builder optTrainingConfig(Supplier<? extends TrainingConfig> configs) {
            trial.optTrainingConfig(configs);
            return this;
        }

        /**
         * Changes how the trials run, such as {@code optTrial(t -> t.optMeasuredSteps(10))}: warm-up,
         * measured steps and time, precision and cap, as {@link TrialOptions.Builder} documents.
         */
        public Builder optTrial(Consumer<TrialOptions.Builder> change) {
            change.accept(trial);
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
         * LearningRateAdvice#DEFAULT_REFERENCE_BATCH_SIZE}): where the reference learning rate is known to work, and
         * where {@link Goal#GOODPUT} counts a sample's progress in full. Give the batch size your recipe was tuned at.
         */
        public Builder optReferenceBatchSize(int size) {
            referenceBatchSize =
                    Checks.atLeastOne(size, what("referenceBatchSize", "reference batch size"), "32 is the default");
            return this;
        }

        /**
         * Sets the learning rate, positive, known to work at the reference batch size, from which the result advises
         * the rate for the chosen size ({@link LearningRateAdvice}). Default: read from the configuration's optimizer
         * where possible, else {@value DjlTrialRunner#DEFAULT_LEARNING_RATE}, the default configuration's rate.
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
         * TuningResult#accumulation() plan} reaches it as it is where it fits, else by gradient accumulation over
         * micro-batches of the tuned size; the learning-rate advice is for it.
         */
        public Builder optTargetBatchSize(int size) {
            targetBatchSize = Checks.atLeastOne(
                    size, what("targetBatchSize", "target batch size"), "leave it unset to plan for no target");
            return this;
        }

        /** Sets the directory of cached results (default {@link ResultCache#defaultDirectory()}). */
        public Builder optCacheDirectory(Path directory) {
            cacheDirectory = Objects.requireNonNull(directory, "directory");
            return this;
        }

        /**
         * Sets whether to use the cache (default {@code true}, unless the system property {@value
         * ResultCache#ENABLED_PROPERTY} is {@code "false"}): a tuning of the same model, input shape and options on the
         * same machine and engine returns the stored result without a trial.
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
            if (maxBatchSize > 0 && maxBatchSize < startBatchSize) {
                throw new IllegalArgumentException(what("maxBatchSize", "maximum batch size (optMaxBatchSize)")
                        + " must be at least the first batch size tried, " + startBatchSize + ", got " + maxBatchSize
                        + "; raise it, or lower " + what("startBatchSize", "optStartBatchSize"));
            }
            return new TuneOptions(this);
        }

        private Builder copy() {
            try {
                Builder copy = (Builder) super.clone(); // every other field is a value or an immutable reference
                copy.trial = trial.build().toBuilder();
                if (prefix != null) {
                    copy.trial.namingOptionsWith(prefix);
                }
                return copy;
            } catch (CloneNotSupportedException e) {
                throw new AssertionError(e);
            }
        }
    }
}
