package dev.autobatch.autotune.search;

import dev.autobatch.autotune.TuneOptions;
import dev.autobatch.autotune.TuningContext;
import dev.autobatch.autotune.TuningListener;
import dev.autobatch.autotune.TuningResult;
import dev.autobatch.autotune.advice.AccumulationPlan;
import dev.autobatch.autotune.advice.LearningRateAdvice;
import dev.autobatch.autotune.advice.NoiseScale;
import dev.autobatch.core.Checks;
import java.time.Duration;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.function.IntFunction;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Searches for a batch size by running training trials: pure logic, no DJL, no hardware. A {@link
 * TrialRunner} does the training; tests replay measured traces.
 *
 * <pre>{@code
 * TuningResult result = BatchSizeSearch.builder()
 *         .optMemoryBudgetBytes(12L << 30)
 *         .build()
 *         .run(runner);
 * }</pre>
 *
 * <p>A search runs in four steps; the goal's {@link ChoiceRule} ({@link Goal#rule()}) decides
 * what each step needs:
 *
 * <ol>
 *   <li><b>Doubling</b> from the start size (default {@value SearchSettings#DEFAULT_START_BATCH_SIZE}),
 *       until the first of: {@link StopReason#OUT_OF_MEMORY}; {@link StopReason#MEMORY_BUDGET}
 *       (before each trial but the first, its peak memory is predicted from the peaks so far by
 *       {@link dev.autobatch.autotune.internal.PeakMemoryModel}, and a size predicted over the
 *       budget is never run: the doubling is clipped to the largest size predicted to fit while
 *       that still grows the batch by more than 1/{@value MaxFitRule#GAP_DIVISOR}; where only the
 *       start size measured a peak and gave no baseline, one trial at half the start size first
 *       measures how memory grows; a trial that peaked above the budget anyway stops the doubling
 *       and is never chosen); {@link StopReason#THROUGHPUT_SATURATED} (the rule says more batch
 *       cannot pay, judged on measurements); {@link StopReason#MAX_BATCH_SIZE} or {@link
 *       StopReason#DATASET_SIZE} (the cap, a quarter of the data set at most, was tried); {@link
 *       StopReason#TIME_BUDGET} (the next trial was predicted to end past {@value
 *       #DOUBLING_SHARE_PERCENT}% of the time budget); {@link StopReason#TRIAL_FAILED}.
 *   <li><b>Refinement</b>: trials the rule proposes between the sizes measured (MAX_FIT's
 *       bisection toward the largest fit, GOODPUT's geometric middle), at most {@value
 *       #MAX_REFINEMENTS}; not after a failure or when time ran out.
 *   <li><b>Confirmation</b>: the rule's contenders (the provisional choice, its neighbours and the
 *       best size seen) are measured again in interleaved rounds, the order reversed each round
 *       (C B A, A B C, ...) so that drift in the machine's speed falls on every size alike; sizes
 *       the rounds make contenders join the next round. At least {@value
 *       #MIN_CONFIRMATION_ROUNDS} rounds, and up to {@value SearchRun#MAX_CONFIRMATION_ROUNDS} while a
 *       contender's standard error exceeds 1/{@value SearchRun#SETTLED_ERROR_DIVISOR} of the saturation
 *       threshold or the choice changed in the last round, and while the rounds have taken less
 *       than {@value SearchRun#CONFIRMATION_SHARE_OF_SEARCH} of the time of the doubling and refinement before
 *       them or less than {@value SearchRun#MIN_CONFIRMATION_SECONDS} s (so confirming adds at most about
 *       half to a real tuning's time, and a replay, which takes no time, gets every round). A runner that answers a repeated size
 *       exactly alike (a replay) is noticed at the first re-measurement and needs no more rounds. A
 *       round is not started where it would overrun the time budget.
 *   <li><b>Choice</b> by the rule, on the centre of every measurement at each size (see {@link
 *       Goal}); its explanation is the result's {@link TuningResult#explanation()}.
 * </ol>
 *
 * <p>Every result carries the {@link NoiseScale} estimated from all its trials and an {@link
 * AccumulationPlan}: the chosen size on each device, or with {@link
 * Builder#optTargetBatchSize(int)} a plan that reaches the target by gradient accumulation where it
 * does not fit (its micro-batch is the THROUGHPUT choice for GOODPUT: for a fixed global batch
 * only speed is left to gain).
 *
 * <p>{@link #run(TrialRunner)} throws {@link IllegalStateException} when there is nothing to
 * choose: the start size ran out of memory or over the budget, or the first trial failed (the
 * message names that failure); and when the runner throws, wrapping its exception. Each trial is
 * logged at INFO and reported to the {@link TuningListener} with a verdict.
 */
public final class BatchSizeSearch {

    /** The default largest batch size: {@code 2^30}, in effect no cap. */
    public static final int DEFAULT_MAX_BATCH_SIZE = 1 << 30;

    private static final Logger LOG = LoggerFactory.getLogger(BatchSizeSearch.class);

    private final SearchSettings settings;
    private final TuningListener listener;
    private final LongSupplier clock;
    private final boolean goalGiven;
    private final TuningContext context;
    private final IntFunction<LearningRateAdvice> learningRateAdvisor;
    private final OptionalLong startedAt;

    private BatchSizeSearch(SearchSettings settings, TuningListener listener, Builder builder) {
        this.settings = settings;
        this.listener = listener;
        this.clock = builder.clock;
        this.goalGiven = builder.goalGiven;
        this.context = builder.context;
        this.learningRateAdvisor = builder.learningRateAdvisor;
        this.startedAt = builder.startedAt;
    }

    /**
     * Returns a builder with every default of {@link TuneOptions} ({@link Goal#DEFAULT}, a 5%
     * threshold, start size 2, a time budget of {@link SearchSettings#DEFAULT_TIME_BUDGET}), no
     * memory budget, no maximum and no data-set size.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder(TuneOptions.builder(), false);
    }

    /**
     * Returns a builder holding the options that concern the search (goal, threshold, start,
     * maximum, reference and target batch sizes, time budget, listener, and the memory budget in
     * bytes if one was given), already checked: give it the facts of the run, such as the memory
     * budget derived from the hardware ({@link Builder#optMemoryBudgetBytes}), the data set's size
     * and the devices.
     *
     * @param options the options, whose goal counts as given
     * @return a new builder
     */
    public static Builder builder(TuneOptions options) {
        return new Builder(options.toBuilder(), true);
    }

    /**
     * Returns the settings this search runs with.
     *
     * @return the settings
     */
    public SearchSettings settings() {
        return settings;
    }

    /**
     * Runs the search: doubling, refinement, confirmation, then the choice.
     *
     * @param runner runs one trial at a batch size
     * @return the one complete result: the chosen size, why the doubling stopped, every trial in
     *     order with its verdict, why the size was chosen, the context ({@link TuningContext#none()}
     *     unless {@link Builder#optContext} gave one), the learning rate advised for the plan's
     *     global batch size ({@link LearningRateAdvice#none(int)} without {@link
     *     Builder#optLearningRateAdvisor}), {@link TuningResult.Source#MEASURED}, and the wall time
     *     from {@link Builder#optStartedAt} (else from this call) to its end
     * @throws IllegalStateException if no trial succeeded within the budget (the message says why
     *     and what to change), or if the runner threw (its exception is the cause)
     */
    public TuningResult run(TrialRunner runner) {
        Objects.requireNonNull(runner, "runner");
        SearchRun search = new SearchRun(runner, settings, listener, clock);
        ChoiceRule rule = settings.goal().rule();
        StopReason stop = search.grow(rule);
        if (stop != StopReason.TRIAL_FAILED && stop != StopReason.TIME_BUDGET) {
            search.refine(rule);
        }
        search.confirm(rule);
        Evidence evidence = search.evidence();
        if ((settings.goal() == Goal.GOODPUT || settings.goal() == Goal.BALANCED)
                && !evidence.noiseScale().isKnown()) {
            String why = settings.goal() + " needs the gradient noise scale, which is "
                    + evidence.noiseScale().describe() + "; choosing as for THROUGHPUT instead";
            if (goalGiven) {
                LOG.warn(why);
            } else {
                LOG.info(why);
            }
        }
        Choice choice = rule.choose(evidence);
        NoiseScale noiseScale = evidence.noiseScale();
        AccumulationPlan plan = search.plan(choice.batchSize());
        LearningRateAdvice advice = learningRateAdvisor == null
                ? LearningRateAdvice.none(choice.batchSize())
                : Objects.requireNonNull(
                        learningRateAdvisor.apply(plan.globalBatchSize()), "the learning-rate advisor returned null");
        TuningResult result = new TuningResult(
                choice.batchSize(),
                stop,
                search.trials,
                settings,
                Duration.ofNanos(clock.getAsLong() - startedAt.orElse(search.started)),
                context,
                search.verdicts,
                noiseScale,
                plan,
                advice,
                choice.explanation(),
                TuningResult.Source.MEASURED);
        LOG.info(
                "Chose batch size {} for {} after {} trials; the doubling stopped on {}. {}",
                choice.batchSize(),
                settings.goal(),
                result.trials().size(),
                stop,
                choice.explanation());
        if (result.accumulation().targetBatchSize() > 0) {
            LOG.info("Plan for the target batch size: {}", result.accumulation().describe());
        }
        return result;
    }

    /**
     * Builds a {@link BatchSizeSearch}; DJL's convention: {@code optX} for each optional value. The
     * options are those of {@link TuneOptions.Builder}, which holds and checks them (each {@code
     * optX} here says where it is documented); the builder adds the facts of the run.
     */
    public static final class Builder {

        private final TuneOptions.Builder options;
        private boolean goalGiven;
        private LongSupplier clock = System::nanoTime;
        private long datasetSize = -1;
        private int devices = 1;
        private TuningContext context = TuningContext.none();
        private IntFunction<LearningRateAdvice> learningRateAdvisor;
        private OptionalLong startedAt = OptionalLong.empty();

        private Builder(TuneOptions.Builder options, boolean goalGiven) {
            this.options = options;
            this.goalGiven = goalGiven;
        }

        /**
         * Sets what to optimise, as {@link TuneOptions.Builder#optGoal}; a goal given explicitly
         * makes a fallback to THROUGHPUT a warning rather than information.
         *
         * @param goal the goal
         * @return this builder
         */
        public Builder optGoal(Goal goal) {
            options.optGoal(goal);
            this.goalGiven = true;
            return this;
        }

        /**
         * Sets the wall time the whole search may take, as {@link TuneOptions.Builder#optTimeBudget}.
         * No trial predicted to end past it is started (the doubling stops at {@value
         * BatchSizeSearch#DOUBLING_SHARE_PERCENT}% of it, to leave time for confirmation), and the
         * result's stop reason says where it cut the doubling short. The first trial always runs.
         *
         * @param budget a positive duration
         * @return this builder
         */
        public Builder optTimeBudget(Duration budget) {
            options.optTimeBudget(budget);
            return this;
        }

        /** Sets the clock the time budget is measured with, in nanoseconds; for tests. */
        Builder optClock(LongSupplier nanoTime) {
            this.clock = Objects.requireNonNull(nanoTime, "nanoTime");
            return this;
        }

        /**
         * Sets the memory budget, as {@link TuneOptions.Builder#optMemoryBudgetBytes}: no trial
         * predicted to peak above it is run, and no trial that peaked above it is chosen. Default:
         * the options' bytes, else no budget; only running out of memory limits.
         *
         * @param bytes the budget in bytes, positive; {@link SearchSettings#NO_MEMORY_BUDGET} for
         *     none
         * @return this builder
         */
        public Builder optMemoryBudgetBytes(long bytes) {
            options.optMemoryBudgetBytes(bytes);
            return this;
        }

        /** Sets the saturation threshold, as {@link TuneOptions.Builder#optSaturationThreshold}. */
        public Builder optSaturationThreshold(double threshold) {
            options.optSaturationThreshold(threshold);
            return this;
        }

        /** Sets the first batch size tried, as {@link TuneOptions.Builder#optStartBatchSize}. */
        public Builder optStartBatchSize(int size) {
            options.optStartBatchSize(size);
            return this;
        }

        /** Sets the largest batch size to try, as {@link TuneOptions.Builder#optMaxBatchSize} (default none). */
        public Builder optMaxBatchSize(int size) {
            options.optMaxBatchSize(size);
            return this;
        }

        /**
         * Sets the number of training samples. The search then never tries a batch larger than a
         * quarter of it ({@link SearchSettings#datasetCap()}), but always tries the start size.
         *
         * @param samples the number of samples, at least the start batch size
         * @return this builder
         */
        public Builder optDatasetSize(long samples) {
            if (samples < 1) {
                throw new IllegalArgumentException("data set size must be at least 1 sample, got " + samples);
            }
            this.datasetSize = samples;
            return this;
        }

        /** Sets the reference batch size {@code B0}, as {@link TuneOptions.Builder#optReferenceBatchSize}. */
        public Builder optReferenceBatchSize(int size) {
            options.optReferenceBatchSize(size);
            return this;
        }

        /** Sets a global batch size to plan for, as {@link TuneOptions.Builder#optTargetBatchSize}. */
        public Builder optTargetBatchSize(int size) {
            options.optTargetBatchSize(size);
            return this;
        }

        /**
         * Sets how many devices train in parallel, each on its own batch of the chosen size
         * (default 1). {@link Goal#GOODPUT} judges efficiency at the global batch, and the plan
         * multiplies by it.
         *
         * @param count at least 1
         * @return this builder
         */
        public Builder optDevices(int count) {
            this.devices = Checks.atLeastOne(count, "devices", "");
            return this;
        }

        /** Sets the listener told of each trial as it completes, as {@link TuneOptions.Builder#optListener}. */
        public Builder optListener(TuningListener listener) {
            options.optListener(listener);
            return this;
        }

        /**
         * Builds the search.
         *
         * @return the search
         * @throws IllegalArgumentException if the maximum or the data set is smaller than the start
         */
        public BatchSizeSearch build() {
            TuneOptions checked = options.build();
            if (datasetSize >= 0 && datasetSize < checked.startBatchSize()) {
                throw new IllegalArgumentException("the data set has " + datasetSize
                        + " samples, fewer than the start batch size " + checked.startBatchSize()
                        + "; lower optStartBatchSize");
            }
            long budget =
                    checked.memoryBudget().isBytes() ? checked.memoryBudget().bytes() : SearchSettings.NO_MEMORY_BUDGET;
            SearchSettings settings = SearchSettings.of(checked, budget, datasetSize, devices);
            return new BatchSizeSearch(settings, checked.listener(), this);
        }

        /**
         * Sets where the tuning runs: the model, the device, the machine, how the memory budget
         * was derived and the trial's steps, for the result (default {@link TuningContext#none()}).
         *
         * @param context the context
         * @return this builder
         */
        public Builder optContext(TuningContext context) {
            this.context = Objects.requireNonNull(context, "context");
            return this;
        }

        /**
         * Sets how to advise the learning rate once the search knows the plan's global batch size
         * (default: no advice, {@link LearningRateAdvice#none(int)}).
         *
         * @param advisor gives the advice for a global batch size; never returns {@code null}
         * @return this builder
         */
        public Builder optLearningRateAdvisor(IntFunction<LearningRateAdvice> advisor) {
            this.learningRateAdvisor = Objects.requireNonNull(advisor, "advisor");
            return this;
        }

        /**
         * Sets when the whole tuning began, on the search's clock ({@link System#nanoTime()}
         * unless set otherwise), so that the result's elapsed time counts what ran before the
         * search (probing the machine). Default: the start of {@link BatchSizeSearch#run}.
         *
         * @param nanoTime the clock's reading at the start
         * @return this builder
         */
        public Builder optStartedAt(long nanoTime) {
            this.startedAt = OptionalLong.of(nanoTime);
            return this;
        }
    }
}
