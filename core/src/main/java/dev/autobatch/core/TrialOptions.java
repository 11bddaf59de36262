package dev.autobatch.core;

import ai.djl.training.TrainingConfig;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What a trial trains with and how long it measures: the one place these options are declared,
 * defaulted, checked and documented. {@link DjlTrialRunner.Builder#optTrialOptions(TrialOptions)}
 * runs trials with them, and autotune's {@code TuneOptions} holds them for a tuning. How the step
 * counts, the measured time, the precision and the cap combine is {@link TrialMeasurement}'s rule.
 * Immutable; build with {@link #builder()} and change a copy with {@link #toBuilder()}.
 */
public final class TrialOptions {

    /** The default unmeasured steps a trial runs at least before measuring. */
    public static final int DEFAULT_WARMUP_STEPS = 2;
    /** The default measured steps a trial runs at least. */
    public static final int DEFAULT_MEASURED_STEPS = 5;
    /** The default measured step time a trial adds up at least, in seconds. */
    public static final double DEFAULT_MIN_MEASURED_SECONDS = 0.25;
    /** The default relative standard error of the median step time a trial measures to. */
    public static final double DEFAULT_TARGET_PRECISION = 0.02;
    /** The default wall-time cap of one trial, warm-up included, in seconds. */
    public static final double DEFAULT_MAX_TRIAL_SECONDS = 10;

    private final TrainingConfig trainingConfig;
    private final Supplier<? extends TrainingConfig> trainingConfigSupplier;
    private final int warmupSteps;
    private final int measuredSteps;
    private final double minMeasuredSeconds;
    private final double targetPrecision;
    private final double maxTrialSeconds;

    private TrialOptions(Builder builder) {
        trainingConfig = builder.trainingConfig;
        trainingConfigSupplier = builder.trainingConfigSupplier;
        warmupSteps = builder.warmupSteps;
        measuredSteps = builder.measuredSteps;
        minMeasuredSeconds = builder.minMeasuredSeconds;
        targetPrecision = builder.targetPrecision;
        maxTrialSeconds = builder.maxTrialSeconds;
    }

    /** @return a builder with every default */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the options with every default */
    public static TrialOptions defaults() {
        return builder().build();
    }

    /** @return a new builder holding these options, to change some of them */
    public Builder toBuilder() {
        Builder builder = new Builder();
        builder.trainingConfig = trainingConfig;
        builder.trainingConfigSupplier = trainingConfigSupplier;
        builder.warmupSteps = warmupSteps;
        builder.measuredSteps = measuredSteps;
        builder.minMeasuredSeconds = minMeasuredSeconds;
        builder.targetPrecision = targetPrecision;
        builder.maxTrialSeconds = maxTrialSeconds;
        return builder;
    }

    /** @return the user's training configuration; empty where none or a supplier was given */
    public Optional<TrainingConfig> trainingConfig() {
        return Optional.ofNullable(trainingConfig);
    }

    /** @return where the trials' own configuration comes from; empty unless a supplier was given */
    public Optional<Supplier<? extends TrainingConfig>> trainingConfigSupplier() {
        return Optional.ofNullable(trainingConfigSupplier);
    }

    /** @return the least unmeasured steps before each trial's measured steps */
    public int warmupSteps() {
        return warmupSteps;
    }

    /** @return the least measured steps a trial */
    public int measuredSteps() {
        return measuredSteps;
    }

    /** @return the least measured step time a trial, in seconds */
    public double minMeasuredSeconds() {
        return minMeasuredSeconds;
    }

    /** @return the relative standard error of the median step time a trial measures to */
    public double targetPrecision() {
        return targetPrecision;
    }

    /** @return the wall-time cap of one trial in seconds */
    public double maxTrialSeconds() {
        return maxTrialSeconds;
    }

    /**
     * Builds {@link TrialOptions}; DJL's convention: {@code optX} for each optional value. Each
     * {@code optX} throws {@link IllegalArgumentException} for a value out of range, naming it,
     * what was given and the fix, and returns this builder.
     */
    public static final class Builder {

        private TrainingConfig trainingConfig;
        private Supplier<? extends TrainingConfig> trainingConfigSupplier;
        private int warmupSteps = DEFAULT_WARMUP_STEPS;
        private int measuredSteps = DEFAULT_MEASURED_STEPS;
        private double minMeasuredSeconds = DEFAULT_MIN_MEASURED_SECONDS;
        private double targetPrecision = DEFAULT_TARGET_PRECISION;
        private double maxTrialSeconds = DEFAULT_MAX_TRIAL_SECONDS;
        private String prefix; // how errors name options: null for this API's words

        private Builder() {}

        /**
         * Makes errors name options as an entry point that reads them by name does: the prefix and
         * the option's name, such as {@code "autobatch.warmupSteps must be zero or more, got -1"},
         * where this API's words would be {@code "warm-up steps"}.
         *
         * @param prefix put before each name, such as {@code "autobatch."}; may be empty
         * @return this builder
         */
        public Builder namingOptionsWith(String prefix) {
            this.prefix = Objects.requireNonNull(prefix, "prefix");
            return this;
        }

        private String what(String name, String words) {
            return prefix == null ? words : prefix + name;
        }

        /**
         * Sets the training configuration the trials train with (default {@link
         * DjlTrialRunner#defaultTrainingConfig()}): the one you train with afterwards. The trials
         * use its loss, initializers, devices, executor, optimizer and evaluators, and none of its
         * listeners (no checkpoint is written, no callback runs) beyond the per-batch work of
         * DJL's own ones. They step its optimizer and update its evaluators, and put their state
         * back after every trial, so the configuration, and the model, train afterwards as if no
         * trial had run (see {@link DjlTrialRunner}). A configuration holding state that cannot
         * be copied (an optimizer of your own with a native resource, say) is refused when the
         * trials begin; give {@link #optTrainingConfig(Supplier)} then.
         */
        public Builder optTrainingConfig(TrainingConfig config) {
            trainingConfig = Objects.requireNonNull(config, "config");
            trainingConfigSupplier = null;
            return this;
        }

        /**
         * Sets where the trials' own training configuration comes from, called once when the
         * trials begin; nothing of what it gives is put back (it is the trials' alone). For a
         * configuration whose state {@link #optTrainingConfig(TrainingConfig)} cannot copy.
         */
        public Builder optTrainingConfig(Supplier<? extends TrainingConfig> configs) {
            trainingConfigSupplier = Objects.requireNonNull(configs, "configs");
            trainingConfig = null;
            return this;
        }

        /**
         * Sets the least unmeasured warm-up steps a trial, 0 or more (default {@value
         * #DEFAULT_WARMUP_STEPS}); more run while step time falls, fewer once a quarter of the
         * trial cap has passed.
         */
        public Builder optWarmupSteps(int steps) {
            warmupSteps = Checks.zeroOrMore(steps, what("warmupSteps", "warm-up steps"));
            return this;
        }

        /**
         * Sets the least measured steps a trial, at least 1 (default {@value
         * #DEFAULT_MEASURED_STEPS}); more run until the median step time is known to the target
         * precision and the least measured time was measured, fewer only when the cap is reached.
         */
        public Builder optMeasuredSteps(int steps) {
            measuredSteps = Checks.atLeastOne(steps, what("measuredSteps", "measured steps"), "5 is the default");
            return this;
        }

        /**
         * Sets the least time a trial measures, positive, in seconds: the sum of its measured steps'
         * timed spans (default {@value #DEFAULT_MIN_MEASURED_SECONDS}). The trial cap wins over it.
         */
        public Builder optMinMeasuredSeconds(double seconds) {
            minMeasuredSeconds = Checks.positiveAndFinite(
                    seconds, what("minMeasuredSeconds", "minimum measured seconds"), "0.25 is the default");
            return this;
        }

        /**
         * Sets the relative standard error of the median step time, in (0, 1), at which a trial past
         * its minimums stops measuring (default {@value #DEFAULT_TARGET_PRECISION}: the median known
         * to about 2%).
         */
        public Builder optTargetPrecision(double relativeError) {
            targetPrecision = Checks.inOpenUnitInterval(
                    relativeError, what("targetPrecision", "target precision"), "0.02 (2%) is the default");
            return this;
        }

        /**
         * Sets the cap of a trial's wall time in seconds, warm-up included, positive (default {@value
         * #DEFAULT_MAX_TRIAL_SECONDS}). It wins over every minimum except one measured step; the
         * step under way when it is reached ends.
         */
        public Builder optMaxTrialSeconds(double seconds) {
            maxTrialSeconds = Checks.positiveAndFinite(
                    seconds, what("maxTrialSeconds", "maximum trial seconds"), "10 is the default");
            return this;
        }

        /** @return the options */
        public TrialOptions build() {
            return new TrialOptions(this);
        }
    }
}
