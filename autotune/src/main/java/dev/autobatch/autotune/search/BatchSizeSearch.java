package dev.autobatch.autotune.search;

import dev.autobatch.autotune.AccumulationPlan;
import dev.autobatch.autotune.LearningRateAdvice;
import dev.autobatch.autotune.NoiseScale;
import dev.autobatch.autotune.TuneOptions;
import dev.autobatch.autotune.TuningContext;
import dev.autobatch.autotune.TuningResult;

import dev.autobatch.autotune.internal.LeastSquares;
import dev.autobatch.autotune.internal.PeakMemoryModel;
import dev.autobatch.autotune.internal.ResultTable;
import dev.autobatch.autotune.internal.StepTimeModel;
import dev.autobatch.autotune.internal.ThroughputSmoothing;
import dev.autobatch.core.Trial;
import dev.autobatch.core.internal.Checks;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Searches for a batch size by running training trials at growing sizes: pure logic, no DJL, no
 * hardware. A {@link TrialRunner} does the training; tests replay measured traces.
 *
 * <pre>{@code
 * TuningResult result = BatchSizeSearch.builder()
 *         .optMemoryBudgetBytes(12L << 30)
 *         .build()
 *         .run(runner);
 * }</pre>
 *
 * <h2>Doubling</h2>
 *
 * The search doubles the batch size from the start size (default {@value
 * TuneOptions#DEFAULT_START_BATCH_SIZE}) and stops on the first of:
 *
 * <ol>
 *   <li>{@link StopReason#OUT_OF_MEMORY}: a trial ran out of memory;
 *   <li>{@link StopReason#MEMORY_BUDGET}: no larger size is predicted to fit the budget. Before
 *       each trial but the first (which has nothing to predict from), its peak memory is predicted
 *       from the peaks measured so far ({@link PeakMemoryModel}: the larger of a least-squares line
 *       and the line through the last two sizes, plus a margin); a size predicted over the budget
 *       is never run. The doubling is clipped to the largest size predicted to fit while that still
 *       grows the batch by more than 1/{@value #MAX_FIT_GAP_DIVISOR}. Where only the start size
 *       measured a peak and the runner gave no baseline ({@link Trial#baselineMemoryBytes()}), a
 *       trial at half the start size first measures how memory grows (it fits, as memory grows
 *       with the batch; it is never chosen). A trial whose measured peak exceeds the budget anyway
 *       (the prediction was wrong) also stops the search, and is never chosen;
 *   <li>{@link StopReason#THROUGHPUT_SATURATED} (goal {@link Goal#THROUGHPUT} only): on {@value
 *       #SATURATED_TRIALS_TO_STOP} trials in a row, the last two doublings together raised measured
 *       throughput by at most the threshold <em>and</em> the step-time model ({@link
 *       StepTimeModel}, {@code seconds = overhead + perSample * batch}, fitted on the largest
 *       {@value #MODEL_WINDOW} sizes) says an unlimited batch could add at most the threshold. Two
 *       doublings, because throughput often creeps up by 2 to 3% a doubling for several doublings;
 *       two trials in a row, because one noisy dip makes one trial look saturated, never two;
 *   <li>{@link StopReason#MAX_BATCH_SIZE} or {@link StopReason#DATASET_SIZE}: the cap was tried.
 *       The cap is the user's maximum (default {@value #DEFAULT_MAX_BATCH_SIZE}) or, with {@link
 *       Builder#optDatasetSize(long)}, a quarter of the data set if smaller; the last doubling is
 *       clipped to the cap, so the cap itself is tried;
 *   <li>{@link StopReason#TRIAL_FAILED}: a trial failed for a reason other than memory.
 * </ol>
 *
 * <h2>Choosing</h2>
 *
 * <p>{@link Goal#THROUGHPUT}: each size that ran within the budget is credited with a throughput
 * that one lucky trial cannot inflate. The search first estimates the timing noise ({@link
 * ThroughputSmoothing#noise}). Quiet timings (noise at most 1/{@value #QUIET_NOISE_DIVISOR} of
 * the threshold, as on a GPU) are judged size by size: each size gets the smaller of its own
 * throughput and what its neighbours imply, which follows any shape of curve and cuts a spike back.
 * Noisy timings (CPUs jitter by 10% or more) cannot tell sizes apart within the threshold one by
 * one, so there every size is credited with the step-time model fitted to all of them, which pools
 * the noise away. The best throughput is the best credited one, or the model's prediction at the
 * largest size the search could still have run (within the cap, below the first failure,
 * predicted within the budget), trusted for at most one threshold above what was measured. The
 * choice is the smallest size within {@value #CHOICE_SHARE_OF_THRESHOLD} of the threshold of the
 * best (4% for the default 5%): the remaining fifth is left for what the trials cannot see, noise
 * and slow gains beyond the largest size measured. One more trial may then bisect the gap between
 * the chosen size and the measured size below it, where the middle is predicted to qualify; not
 * after an out-of-memory stop, which has already spent as many trials as plain doubling.
 *
 * <p>{@link Goal#MAX_FIT}: the largest size that ran within the budget, refined between it and the
 * first size that did not fit (out of memory, measured or predicted over budget) until the gap is
 * at most 1/{@value #MAX_FIT_GAP_DIVISOR} of it: within about 6% below the largest size that fits.
 * Where the memory prediction is what bounds, the refinement tries the largest size predicted to
 * fit; where an out-of-memory trial bounds, it bisects. At most {@value #MAX_FIT_REFINEMENTS}
 * refinement trials.
 *
 * <p>{@link Goal#GOODPUT}: each fitting size is credited with its throughput as for {@link
 * Goal#THROUGHPUT}, times its statistical efficiency {@code (B_noise + B0) / (B_noise + B)} at the
 * global batch {@code B = size * devices}, with {@code B_noise} the {@link NoiseScale} estimated
 * from the trials' gradient norms and {@code B0} the reference batch size; the size with the most
 * goodput is chosen. One more trial may then try the geometric middle between it and a neighbour,
 * where goodput there is predicted more than {@value #GOODPUT_REFINEMENT_GAIN_PERCENT}% higher.
 * With a step time {@code a + c B}, goodput peaks at {@code sqrt(B_noise * a / c)}: the geometric
 * mean of the noise scale and the size at which throughput is half its limit. Without a usable
 * noise scale the choice is that of {@link Goal#THROUGHPUT}, with a warning.
 *
 * <h2>After the choice</h2>
 *
 * Every result carries the {@link NoiseScale} estimated from all its trials (unknown where they
 * recorded no gradient norms) and an {@link AccumulationPlan}: the chosen size on each device, or
 * with {@link Builder#optTargetBatchSize(int)} a plan that reaches the target, by gradient
 * accumulation where the target is larger than what is known or predicted to fit. The plan's
 * micro-batch is the chosen size (the throughput choice for {@link Goal#GOODPUT}, as a fixed
 * global batch leaves only speed to gain).
 *
 * <h2>Errors</h2>
 *
 * {@link #run(TrialRunner)} throws {@link IllegalStateException} when there is nothing to choose:
 * the start size ran out of memory or over the budget, or the first trial failed (the message
 * names that first failure); and when the runner throws, wrapping its exception. A failure after a
 * success ends the search with {@link StopReason#TRIAL_FAILED}.
 *
 * <p>Each trial is logged at INFO and reported to the {@link TuningListener} with a verdict.
 */
public final class BatchSizeSearch {

    /** The default largest batch size: {@code 2^30}, in effect no cap. */
    public static final int DEFAULT_MAX_BATCH_SIZE = 1 << 30;

    /** How many trials in a row must look saturated before the doubling stops. */
    static final int SATURATED_TRIALS_TO_STOP = 2;

    /** How many of the largest measured sizes the step-time model is fitted on. */
    static final int MODEL_WINDOW = 3;

    /** The share of the saturation threshold the throughput choice aims within. */
    static final double CHOICE_SHARE_OF_THRESHOLD = 0.8;

    /** Timings are judged size by size when their noise is at most the threshold over this. */
    static final int QUIET_NOISE_DIVISOR = 4;

    /** MAX_FIT refines until the gap above the largest fitting size is at most this fraction. */
    static final int MAX_FIT_GAP_DIVISOR = 16;

    /** GOODPUT runs a refinement trial where it predicts at least this much more goodput. */
    static final int GOODPUT_REFINEMENT_GAIN_PERCENT = 1;

    /** At most this many MAX_FIT refinement trials. */
    static final int MAX_FIT_REFINEMENTS = 12;

    private static final Logger LOG = LoggerFactory.getLogger(BatchSizeSearch.class);

    private final SearchSettings settings;
    private final TuningListener listener;

    private BatchSizeSearch(Builder builder) {
        settings = new SearchSettings(
                builder.goal,
                builder.memoryBudgetBytes,
                builder.saturationThreshold,
                builder.startBatchSize,
                builder.maxBatchSize,
                builder.datasetSize,
                builder.referenceBatchSize,
                builder.targetBatchSize,
                builder.devices);
        listener = builder.listener;
    }

    /**
     * Returns a builder with every default: {@link Goal#THROUGHPUT}, no memory budget, a 5%
     * threshold, start size 2, no maximum, no data-set size.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
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
     * Runs the search: trials at growing batch sizes, then the choice.
     *
     * @param runner runs one trial at a batch size
     * @return the chosen size, why the doubling stopped, and every trial in order; its context is
     *     {@link TuningContext#none()} and its elapsed time the wall time of this call
     * @throws IllegalStateException if no trial succeeded within the budget (the message says why
     *     and what to change), or if the runner threw (its exception is the cause)
     */
    public TuningResult run(TrialRunner runner) {
        Objects.requireNonNull(runner, "runner");
        long started = System.nanoTime();
        Search search = new Search(runner);
        StopReason stop = search.grow();
        int chosen = switch (settings.goal()) {
            case MAX_FIT -> search.largestFit(stop);
            case THROUGHPUT -> search.fastEnough(stop);
            case GOODPUT -> search.mostGoodput(stop);
        };
        NoiseScale noiseScale = NoiseScale.estimate(search.trials);
        TuningResult result = new TuningResult(
                chosen,
                stop,
                search.trials,
                settings,
                Duration.ofNanos(System.nanoTime() - started),
                TuningContext.none(),
                search.verdicts,
                noiseScale,
                search.plan(chosen),
                LearningRateAdvice.none(chosen));
        LOG.info(
                "Chose batch size {} for {} after {} trials; the doubling stopped on {}",
                chosen,
                settings.goal(),
                result.trials().size(),
                stop);
        if (noiseScale.isKnown()) {
            LOG.info("Gradient noise scale: {}", noiseScale.describe());
        }
        if (result.accumulation().targetBatchSize() > 0) {
            LOG.info("Plan for the target batch size: {}", result.accumulation().describe());
        }
        return result;
    }

    /** The state of one run. */
    private final class Search {

        private final TrialRunner runner;
        private final List<Trial> trials = new ArrayList<>();
        private final List<String> verdicts = new ArrayList<>();
        private final long budget = settings.memoryBudgetBytes();
        private final double threshold = settings.saturationThreshold();
        private final int cap = settings.batchSizeCap();
        private boolean warnedNoPeaks;
        private boolean probed;

        Search(TrialRunner runner) {
            this.runner = runner;
        }

        /** Doubles from the start size until a stop rule fires; returns the rule. */
        StopReason grow() {
            int size = settings.startBatchSize();
            int saturatedInARow = 0;
            while (true) {
                if (!trials.isEmpty() && !predictedToFit(size)) {
                    if (probeMemory()) {
                        continue;
                    }
                    // Clip the doubling to the largest size predicted to fit, if that still grows.
                    long previous = largestFitting();
                    long clipped = peakModel().largestWithin(budget, previous + 1, size - 1L);
                    if (clipped - previous < Math.max(1, previous / MAX_FIT_GAP_DIVISOR)) {
                        return StopReason.MEMORY_BUDGET;
                    }
                    LOG.info(
                            "Clipping the doubling to batch size {}, the largest predicted within the budget",
                            clipped);
                    size = (int) clipped;
                }
                Trial trial = runTrial(size);
                if (!fits(trial)) {
                    String verdict = outcome(trial);
                    record(trial, verdict);
                    if (fitting().isEmpty()) {
                        throw new IllegalStateException(nothingFits(trial));
                    }
                    return trial.outOfMemory()
                            ? StopReason.OUT_OF_MEMORY
                            : trial.failed() ? StopReason.TRIAL_FAILED : StopReason.MEMORY_BUDGET;
                }
                String verdict = "ok";
                // Past saturated throughput goodput only falls (efficiency falls with the batch),
                // so GOODPUT stops where THROUGHPUT does.
                if (settings.goal() != Goal.MAX_FIT) {
                    List<Trial> fitting = fitting();
                    fitting.add(trial);
                    saturatedInARow = saturated(fitting) ? saturatedInARow + 1 : 0;
                    if (saturatedInARow >= SATURATED_TRIALS_TO_STOP) {
                        verdict = "throughput saturated";
                    } else if (saturatedInARow > 0) {
                        verdict = "saturating";
                    }
                }
                record(trial, verdict);
                if (saturatedInARow >= SATURATED_TRIALS_TO_STOP) {
                    return StopReason.THROUGHPUT_SATURATED;
                }
                if (size >= cap) {
                    return settings.capStopReason();
                }
                size = (int) Math.min(2L * size, cap);
            }
        }

        /**
         * Where only the start size measured a peak and gave no baseline, the only safe
         * extrapolation is proportional to the batch, which stops the search at once when fixed
         * memory (weights, optimizer state) fills most of the budget. A trial at half the start
         * size measures how memory grows instead; memory grows with the batch, so it fits. It is
         * run at most once and never chosen.
         *
         * @return whether the probe ran
         */
        private boolean probeMemory() {
            int start = settings.startBatchSize();
            if (probed || start < 2 || trials.size() != 1) {
                return false;
            }
            Trial first = trials.get(0);
            if (first.peakMemoryBytes() < 0 || first.baselineMemoryBytes() >= 0) {
                return false;
            }
            probed = true;
            Trial probe = runTrial(start / 2);
            record(probe, outcome(probe) + " (memory probe)");
            return true;
        }

        /**
         * Whether the largest of these fitting trials looks saturated: the last two doublings
         * together raised measured throughput by at most the threshold, and the step-time model
         * leaves at most the threshold to gain.
         */
        private boolean saturated(List<Trial> fitting) {
            int n = fitting.size();
            if (n < 3) {
                return false;
            }
            Trial last = fitting.get(n - 1);
            double measuredGain = last.samplesPerSecond() / fitting.get(n - 3).samplesPerSecond() - 1;
            double modelGain = model(fitting).remainingGain(last.batchSize());
            LOG.debug(
                    "batch size {}: the last two doublings gained {}, the model leaves {}",
                    last.batchSize(),
                    measuredGain,
                    modelGain);
            return measuredGain <= threshold && modelGain <= threshold;
        }

        /** Chooses for {@link Goal#THROUGHPUT}, with at most one bisection trial. */
        int fastEnough(StopReason stop) {
            Estimates estimates = new Estimates(fitting());
            int chosen = estimates.choice();
            if (chosen > 0 && stop != StopReason.OUT_OF_MEMORY && stop != StopReason.TRIAL_FAILED) {
                long below = estimates.sizes[chosen - 1];
                long above = estimates.sizes[chosen];
                int middle = (int) (below + (above - below) / 2);
                // Bisect only a gap worth a trial (more than a quarter of the size below), and only
                // where the middle is predicted to meet the target.
                if (4 * (above - below) > below
                        && middle > below
                        && estimates.predict(chosen, middle) >= estimates.target
                        && predictedToFit(middle)) {
                    Trial trial = runTrial(middle);
                    record(trial, fits(trial) ? "ok (bisection)" : outcome(trial) + " (bisection)");
                    if (fits(trial)) {
                        estimates = new Estimates(fitting());
                        chosen = estimates.choice();
                    }
                }
            }
            return (int) estimates.sizes[chosen];
        }

        /**
         * Chooses for {@link Goal#GOODPUT}: the fitting size with the most goodput, credited
         * throughput times statistical efficiency at the global batch; then at most one trial at
         * the geometric middle towards the better neighbour, where goodput is predicted to beat
         * the best by more than {@value #GOODPUT_REFINEMENT_GAIN_PERCENT}%. Falls back to the
         * throughput choice where the noise scale cannot be estimated.
         */
        int mostGoodput(StopReason stop) {
            NoiseScale noise = NoiseScale.estimate(trials);
            if (!noise.isKnown()) {
                LOG.warn(
                        "GOODPUT needs the gradient noise scale, which is {}; choosing as for THROUGHPUT instead",
                        noise.describe());
                return fastEnough(stop);
            }
            Goodput goodput = new Goodput(noise);
            int best = goodput.best();
            if (stop != StopReason.TRIAL_FAILED) {
                long candidate = -1;
                double predicted = goodput.values[best] * (1 + GOODPUT_REFINEMENT_GAIN_PERCENT / 100.0);
                for (int upper : new int[] {best, best + 1}) {
                    if (upper < 1 || upper >= goodput.sizes.length) {
                        continue;
                    }
                    long middle = Math.round(Math.sqrt((double) goodput.sizes[upper - 1] * goodput.sizes[upper]));
                    if (middle <= goodput.sizes[upper - 1] || middle >= goodput.sizes[upper]) {
                        continue;
                    }
                    double value = goodput.predict(upper, middle);
                    if (value > predicted) {
                        predicted = value;
                        candidate = middle;
                    }
                }
                if (candidate > 0 && predictedToFit(candidate)) {
                    Trial trial = runTrial((int) candidate);
                    record(trial, fits(trial) ? "ok (refinement)" : outcome(trial) + " (refinement)");
                    if (fits(trial)) {
                        NoiseScale updated = NoiseScale.estimate(trials);
                        goodput = new Goodput(updated.isKnown() ? updated : noise);
                        best = goodput.best();
                    }
                }
            }
            LOG.info(
                    "Most goodput at batch size {}: {} samples/s x efficiency {} (B_noise {}, reference {})",
                    goodput.sizes[best],
                    ResultTable.samplesPerSecond(goodput.estimates.credited[best]),
                    String.format(Locale.ROOT, "%.3f", goodput.efficiency(goodput.sizes[best])),
                    String.format(Locale.ROOT, "%.0f", goodput.noise.bSimple()),
                    settings.referenceBatchSize());
            return (int) goodput.sizes[best];
        }

        /** Goodput at each fitting size: the credited throughput times the efficiency. */
        private final class Goodput {

            final NoiseScale noise;
            final Estimates estimates;
            final long[] sizes;
            final double[] values;

            Goodput(NoiseScale noise) {
                this.noise = noise;
                estimates = new Estimates(fitting());
                sizes = estimates.sizes;
                values = new double[sizes.length];
                for (int i = 0; i < sizes.length; i++) {
                    values[i] = estimates.credited[i] * efficiency(sizes[i]);
                }
            }

            double efficiency(long size) {
                return noise.efficiency((double) size * settings.devices(), settings.referenceBatchSize());
            }

            int best() {
                int best = 0;
                for (int i = 1; i < values.length; i++) {
                    if (values[i] > values[best]) {
                        best = i;
                    }
                }
                return best;
            }

            double predict(int upper, long size) {
                return estimates.predict(upper, size) * efficiency(size);
            }
        }

        /**
         * The plan for the chosen size: without a target, the chosen size on each device; with
         * one, {@link AccumulationPlan#plan} with the throughput choice as the preferred micro-batch
         * (for a fixed global batch only speed matters) and the largest size known or predicted to
         * fit within the budget.
         */
        AccumulationPlan plan(int chosen) {
            int target = settings.targetBatchSize();
            if (target == 0) {
                return AccumulationPlan.none(chosen, settings.devices());
            }
            int preferred = chosen;
            if (settings.goal() == Goal.GOODPUT) {
                Estimates estimates = new Estimates(fitting());
                preferred = (int) estimates.sizes[estimates.choice()];
            }
            long fit = largestFitting();
            long misfit = smallestMisfitAbove(fit, Long.MAX_VALUE);
            long perDevice = ((long) target + settings.devices() - 1) / settings.devices();
            long limit = Math.min(misfit - 1, Math.max(fit, perDevice));
            long predicted = limit > fit && settings.hasMemoryBudget()
                    ? peakModel().largestWithin(budget, fit + 1, limit)
                    : limit;
            return AccumulationPlan.plan(target, preferred, Math.max(fit, predicted), settings.devices());
        }

        /** Chooses for {@link Goal#MAX_FIT}, refining between the last fit and the first misfit. */
        int largestFit(StopReason stop) {
            long fit = largestFitting();
            if (stop == StopReason.TRIAL_FAILED) {
                return (int) fit;
            }
            long misfit = smallestMisfitAbove(fit);
            for (int refinements = 0; refinements < MAX_FIT_REFINEMENTS; refinements++) {
                long gap = Math.max(1, fit / MAX_FIT_GAP_DIVISOR);
                if (misfit - fit <= gap) {
                    break;
                }
                long predictedFit = peakModel().largestWithin(budget, fit + 1, misfit - 1);
                if (predictedFit <= fit) {
                    break;
                }
                long size;
                if (predictedFit < misfit - 1) {
                    // The budget, not a failure, bounds: try the largest size predicted to fit.
                    if (predictedFit + 1 - fit <= gap) {
                        break;
                    }
                    size = Math.min(predictedFit, 2 * fit);
                } else {
                    size = fit + (misfit - fit) / 2;
                }
                Trial trial = runTrial((int) size);
                record(trial, fits(trial) ? "ok (refinement)" : outcome(trial) + " (refinement)");
                if (trial.failed()) {
                    break;
                }
                if (fits(trial)) {
                    fit = size;
                } else {
                    misfit = size;
                }
            }
            return (int) fit;
        }

        /**
         * The throughput credited to each fitting size, the best throughput within reach, and the
         * target a choice must meet. Quiet timings (noise at most a quarter of the threshold) are
         * judged size by size, smoothed against the neighbours, which follows any shape of curve;
         * noisy ones by the step-time model fitted to every size, which pools the noise away.
         */
        private final class Estimates {

            final long[] sizes;
            final double[] measured;
            final double[] credited;
            final double target;
            private final StepTimeModel pooled;

            Estimates(List<Trial> fitting) {
                int n = fitting.size();
                sizes = new long[n];
                measured = new double[n];
                for (int i = 0; i < n; i++) {
                    sizes[i] = fitting.get(i).batchSize();
                    measured[i] = fitting.get(i).samplesPerSecond();
                }
                double noise = ThroughputSmoothing.noise(sizes, measured);
                pooled = noise > threshold / QUIET_NOISE_DIVISOR ? pooledModel(fitting) : null;
                if (pooled != null) {
                    credited = new double[n];
                    for (int i = 0; i < n; i++) {
                        credited[i] = pooled.samplesPerSecond(sizes[i]);
                    }
                } else {
                    credited = ThroughputSmoothing.estimate(sizes, measured);
                }
                double bestMeasured = 0;
                for (double c : credited) {
                    bestMeasured = Math.max(bestMeasured, c);
                }
                double best = bestMeasured;
                long limit = reachableLimit();
                if (n >= 2 && limit > sizes[n - 1]) {
                    double predicted = (pooled != null ? pooled : model(fitting)).samplesPerSecond(limit);
                    best = Math.max(best, Math.min(predicted, (1 + threshold) * bestMeasured));
                }
                target = (1 - CHOICE_SHARE_OF_THRESHOLD * threshold) * best;
                if (LOG.isDebugEnabled()) {
                    StringBuilder table = new StringBuilder();
                    for (int i = 0; i < n; i++) {
                        table.append(String.format(
                                Locale.ROOT, "%n  %10d %12.0f %12.0f", sizes[i], measured[i], credited[i]));
                    }
                    LOG.debug(
                            "timing noise {}, judged {}; best within reach {} samples/s, target {};"
                                    + " size, measured, credited:{}",
                            noise,
                            pooled != null ? "by the pooled model" : "size by size",
                            best,
                            target,
                            table);
                }
            }

            /** The index of the smallest size meeting the target, or of the best if none does. */
            int choice() {
                int best = 0;
                for (int i = 0; i < credited.length; i++) {
                    if (credited[i] >= target) {
                        return i;
                    }
                    if (credited[i] > credited[best]) {
                        best = i;
                    }
                }
                return best;
            }

            /**
             * Predicts the throughput at a size between the fitting sizes {@code upper - 1} and
             * {@code upper}: from the pooled model, or from the step time interpolated between them.
             */
            double predict(int upper, long size) {
                if (pooled != null) {
                    return pooled.samplesPerSecond(size);
                }
                long below = sizes[upper - 1];
                long above = sizes[upper];
                double step = LeastSquares.through(below, below / measured[upper - 1], above, above / measured[upper])
                        .at(size);
                return step > 0 ? size / step : 0;
            }
        }

        /**
         * The step-time model fitted to every fitting size, or {@code null} where it predicts a
         * step time that is not positive at some measured size (it does not describe the curve).
         */
        private StepTimeModel pooledModel(List<Trial> fitting) {
            double[] sizes = new double[fitting.size()];
            double[] steps = new double[fitting.size()];
            for (int i = 0; i < sizes.length; i++) {
                sizes[i] = fitting.get(i).batchSize();
                steps[i] = sizes[i] / fitting.get(i).samplesPerSecond();
            }
            StepTimeModel model = StepTimeModel.fit(sizes, steps);
            for (double size : sizes) {
                if (!(model.stepSeconds(size) > 0)) {
                    return null;
                }
            }
            return model;
        }

        /**
         * The largest size the search could still have run: within the cap, below the first size
         * that did not fit, and predicted within the budget.
         */
        private long reachableLimit() {
            long fit = largestFitting();
            long limit = Math.min(cap, smallestMisfitAbove(fit) - 1);
            if (limit > fit && settings.hasMemoryBudget()) {
                limit = Math.max(fit, peakModel().largestWithin(budget, fit + 1, limit));
            }
            return limit;
        }

        private StepTimeModel model(List<Trial> fitting) {
            int n = fitting.size();
            int from = Math.max(0, n - MODEL_WINDOW);
            double[] sizes = new double[n - from];
            double[] steps = new double[n - from];
            for (int i = from; i < n; i++) {
                Trial t = fitting.get(i);
                sizes[i - from] = t.batchSize();
                steps[i - from] = t.batchSize() / t.samplesPerSecond();
            }
            return StepTimeModel.fit(sizes, steps);
        }

        private Trial runTrial(int size) {
            Trial trial;
            try {
                trial = runner.run(size);
            } catch (RuntimeException e) {
                throw new IllegalStateException(
                        "The trial runner threw at batch size " + size + ": " + e.getMessage()
                                + "; the search stopped without a result.",
                        e);
            }
            if (trial == null) {
                throw new IllegalStateException("The trial runner returned no trial for batch size " + size + ".");
            }
            if (trial.batchSize() != size) {
                throw new IllegalStateException(
                        "Asked for batch size " + size + ", the trial runner reported batch size "
                                + trial.batchSize() + ".");
            }
            if (trial.ok() && !(trial.samplesPerSecond() > 0 && Double.isFinite(trial.samplesPerSecond()))) {
                throw new IllegalStateException(
                        "The trial at batch size " + size + " reported " + trial.samplesPerSecond()
                                + " samples/s; a measured trial needs a positive, finite throughput.");
            }
            return trial;
        }

        private void record(Trial trial, String verdict) {
            trials.add(trial);
            verdicts.add(verdict);
            if (trial.ok()) {
                LOG.info(
                        "batch size {}: {} samples/s, peak memory {}: {}",
                        trial.batchSize(),
                        ResultTable.samplesPerSecond(trial.samplesPerSecond()),
                        ResultTable.bytes(trial.peakMemoryBytes()),
                        verdict);
            } else {
                LOG.info("batch size {}: {}", trial.batchSize(), verdict);
            }
            listener.onTrial(trial, verdict);
        }

        private boolean predictedToFit(long size) {
            PeakMemoryModel model = peakModel();
            if (model.isEmpty()) {
                if (settings.hasMemoryBudget() && !warnedNoPeaks) {
                    warnedNoPeaks = true;
                    LOG.warn("The trials report no peak memory, so the memory budget cannot be enforced"
                            + " by prediction.");
                }
                return true;
            }
            double predicted = model.predict(size);
            if (predicted > budget) {
                LOG.info(
                        "Not running batch size {}: its predicted peak memory {} is above the budget {}",
                        size,
                        ResultTable.bytes((long) Math.min(Long.MAX_VALUE, predicted)),
                        ResultTable.bytes(budget));
                return false;
            }
            return true;
        }

        private PeakMemoryModel peakModel() {
            return PeakMemoryModel.of(trials);
        }

        private boolean fits(Trial trial) {
            return trial.ok() && trial.peakMemoryBytes() <= budget;
        }

        /** The trials from the start size up that ran within the budget, by batch size. */
        private List<Trial> fitting() {
            List<Trial> fitting = new ArrayList<>();
            for (Trial t : trials) {
                if (fits(t) && t.batchSize() >= settings.startBatchSize()) {
                    fitting.add(t);
                }
            }
            fitting.sort(Comparator.comparingInt(Trial::batchSize));
            return fitting;
        }

        private long largestFitting() {
            long largest = 0;
            for (Trial t : trials) {
                if (fits(t)) {
                    largest = Math.max(largest, t.batchSize());
                }
            }
            return largest;
        }

        /** The smallest size above {@code size} that ran out of memory or over the budget. */
        private long smallestMisfitAbove(long size) {
            return smallestMisfitAbove(size, (long) cap + 1);
        }

        /** As {@link #smallestMisfitAbove(long)}, {@code none} where no size above did not fit. */
        private long smallestMisfitAbove(long size, long none) {
            long misfit = none;
            for (Trial t : trials) {
                if (!t.failed() && !fits(t) && t.batchSize() > size) {
                    misfit = Math.min(misfit, t.batchSize());
                }
            }
            return misfit;
        }

        private String outcome(Trial trial) {
            if (trial.outOfMemory()) {
                return "out of memory";
            }
            if (trial.failed()) {
                return "failed: " + trial.failure();
            }
            return trial.peakMemoryBytes() > budget ? "over the memory budget" : "ok";
        }

        private String nothingFits(Trial trial) {
            int size = trial.batchSize();
            if (trial.failed()) {
                return "The trial at batch size " + size + " failed: " + trial.failure()
                        + " No trial succeeded, so there is no batch size to choose.";
            }
            String lower = size > 1
                    ? " Lower optStartBatchSize (it is " + size + ")"
                    : " The model does not train even one sample at a time;";
            if (trial.outOfMemory()) {
                return "Even the start batch size " + size + " ran out of memory." + lower
                        + " or free memory on the device.";
            }
            return "Even the start batch size " + size + " needs " + ResultTable.bytes(trial.peakMemoryBytes())
                    + " of memory, above the memory budget of " + ResultTable.bytes(budget) + "." + lower
                    + " or raise optMemoryBudgetBytes.";
        }
    }

    /** Builds a {@link BatchSizeSearch}; DJL's convention: {@code optX} for each optional value. */
    public static final class Builder {

        private Goal goal = Goal.THROUGHPUT;
        private long memoryBudgetBytes = SearchSettings.NO_MEMORY_BUDGET;
        private double saturationThreshold = TuneOptions.DEFAULT_SATURATION_THRESHOLD;
        private int startBatchSize = TuneOptions.DEFAULT_START_BATCH_SIZE;
        private int maxBatchSize = DEFAULT_MAX_BATCH_SIZE;
        private long datasetSize = -1;
        private int referenceBatchSize = LearningRateAdvice.DEFAULT_REFERENCE_BATCH_SIZE;
        private int targetBatchSize;
        private int devices = 1;
        private TuningListener listener = TuningListener.NONE;

        private Builder() {}

        /**
         * Sets what to optimise (default {@link Goal#THROUGHPUT}).
         *
         * @param goal the goal
         * @return this builder
         */
        public Builder optGoal(Goal goal) {
            this.goal = Objects.requireNonNull(goal, "goal");
            return this;
        }

        /**
         * Sets the memory budget: no trial predicted to peak above it is run, and no trial that
         * peaked above it is chosen. Default: no budget, only running out of memory limits.
         *
         * @param bytes the budget in bytes, positive; {@link SearchSettings#NO_MEMORY_BUDGET} for
         *     none
         * @return this builder
         */
        public Builder optMemoryBudgetBytes(long bytes) {
            this.memoryBudgetBytes = Checks.positiveBudget(bytes);
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
         * Sets the first batch size tried (default {@value TuneOptions#DEFAULT_START_BATCH_SIZE}).
         *
         * @param size at least 1
         * @return this builder
         */
        public Builder optStartBatchSize(int size) {
            this.startBatchSize = Checks.atLeastOne(size, "start batch size", "2 is the default");
            return this;
        }

        /**
         * Sets the largest batch size the search may try (default {@value
         * #DEFAULT_MAX_BATCH_SIZE}, in effect none).
         *
         * @param size at least the start batch size
         * @return this builder
         */
        public Builder optMaxBatchSize(int size) {
            this.maxBatchSize = Checks.atLeastOne(size, "maximum batch size", "");
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

        /**
         * Sets the reference batch size {@code B0} of {@link Goal#GOODPUT}'s efficiency (default
         * {@value LearningRateAdvice#DEFAULT_REFERENCE_BATCH_SIZE}): the batch size at which a
         * sample's progress counts in full, such as the one the model's recipe was tuned at.
         *
         * @param size at least 1
         * @return this builder
         */
        public Builder optReferenceBatchSize(int size) {
            this.referenceBatchSize = Checks.atLeastOne(size, "reference batch size", "32 is the default");
            return this;
        }

        /**
         * Sets a global batch size to plan for (default none): the result's {@link
         * AccumulationPlan} then reaches it with gradient accumulation where it does not fit.
         *
         * @param size at least 1
         * @return this builder
         */
        public Builder optTargetBatchSize(int size) {
            this.targetBatchSize = Checks.atLeastOne(size, "target batch size", "");
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
         * Builds the search.
         *
         * @return the search
         * @throws IllegalArgumentException if the maximum or the data set is smaller than the start
         */
        public BatchSizeSearch build() {
            Checks.maxNotBelowStart(maxBatchSize, startBatchSize);
            if (datasetSize >= 0 && datasetSize < startBatchSize) {
                throw new IllegalArgumentException(
                        "the data set has " + datasetSize + " samples, fewer than the start batch size "
                                + startBatchSize + "; lower optStartBatchSize");
            }
            return new BatchSizeSearch(this);
        }
    }
}
