package dev.autobatch.autotune;

import dev.autobatch.autotune.advice.AccumulationPlan;
import dev.autobatch.autotune.advice.LearningRateAdvice;
import dev.autobatch.autotune.advice.NoiseScale;
import dev.autobatch.autotune.internal.ResultTable;
import dev.autobatch.autotune.search.Evidence;
import dev.autobatch.autotune.search.SearchSettings;
import dev.autobatch.autotune.search.StopReason;
import dev.autobatch.core.Trial;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The outcome of a tuning: the chosen batch size, why the search stopped, and every trial in the
 * order it ran; with the gradient noise scale the trials measured, the plan to train a target
 * batch size, and the learning rate to train with. {@link #toString()} is a table of the trials
 * for people.
 *
 * @param batchSize the chosen batch size
 * @param stopReason the rule that ended the doubling
 * @param trials every trial, in order
 * @param settings the settings the search ran with, the memory budget among them
 * @param elapsed wall time of the whole tuning
 * @param context the model, device and machine; {@link TuningContext#none()} for a bare search
 * @param verdicts what the search concluded from each trial, one short phrase a trial in the same
 *     order, such as {@code "ok"}, {@code "out of memory"} or {@code "throughput saturated"}
 * @param noiseScale the gradient noise scale estimated from the trials' gradient norms; {@link
 *     NoiseScale#unknown()}-like when they recorded none
 * @param accumulation how to train: micro-batch, devices and accumulation steps; without a target
 *     batch size, the chosen size on each device and no accumulation
 * @param learningRate the learning rate advised for the plan's global batch size; {@link
 *     LearningRateAdvice#none(int)} where the optimizer is not known (a bare search)
 * @param explanation why the size was chosen, in the words of the goal's rule that chose it, with
 *     the figures that decided; empty where not known (a result built outside a search)
 */
public record TuningResult(
        int batchSize,
        StopReason stopReason,
        List<Trial> trials,
        SearchSettings settings,
        Duration elapsed,
        TuningContext context,
        List<String> verdicts,
        NoiseScale noiseScale,
        AccumulationPlan accumulation,
        LearningRateAdvice learningRate,
        String explanation) {

    /** Copies the lists and checks that there is one verdict a trial. */
    public TuningResult {
        trials = List.copyOf(trials);
        verdicts = List.copyOf(verdicts);
        if (verdicts.size() != trials.size()) {
            throw new IllegalArgumentException(
                    "need one verdict a trial, got " + verdicts.size() + " verdicts for " + trials.size() + " trials");
        }
        Objects.requireNonNull(noiseScale, "noiseScale");
        Objects.requireNonNull(accumulation, "accumulation");
        Objects.requireNonNull(learningRate, "learningRate");
        Objects.requireNonNull(explanation, "explanation");
    }

    /**
     * A result without an explanation of the choice, as results were built before the rules
     * explained themselves.
     *
     * @param batchSize the chosen batch size
     * @param stopReason the rule that ended the doubling
     * @param trials every trial, in order
     * @param settings the settings the search ran with
     * @param elapsed wall time of the whole tuning
     * @param context the model, device and machine
     * @param verdicts one phrase a trial, in the same order
     * @param noiseScale the gradient noise scale
     * @param accumulation how to train
     * @param learningRate the advised learning rate
     */
    public TuningResult(
            int batchSize,
            StopReason stopReason,
            List<Trial> trials,
            SearchSettings settings,
            Duration elapsed,
            TuningContext context,
            List<String> verdicts,
            NoiseScale noiseScale,
            AccumulationPlan accumulation,
            LearningRateAdvice learningRate) {
        this(
                batchSize,
                stopReason,
                trials,
                settings,
                elapsed,
                context,
                verdicts,
                noiseScale,
                accumulation,
                learningRate,
                "");
    }

    /**
     * A result with what a search derives by itself from the trials: the noise scale estimated
     * from them ({@link NoiseScale#estimate}), the chosen size on each device of the settings
     * without accumulation, and no learning-rate advice.
     *
     * @param batchSize the chosen batch size
     * @param stopReason the rule that ended the doubling
     * @param trials every trial, in order
     * @param settings the settings the search ran with, or {@code null} if unknown
     * @param elapsed wall time of the whole tuning
     * @param context the model, device and machine
     * @param verdicts one phrase a trial, in the same order
     */
    public TuningResult(
            int batchSize,
            StopReason stopReason,
            List<Trial> trials,
            SearchSettings settings,
            Duration elapsed,
            TuningContext context,
            List<String> verdicts) {
        this(
                batchSize,
                stopReason,
                trials,
                settings,
                elapsed,
                context,
                verdicts,
                NoiseScale.estimate(trials),
                AccumulationPlan.none(batchSize, settings == null ? 1 : settings.devices()),
                LearningRateAdvice.none(batchSize));
    }

    /**
     * A result whose verdicts are only each trial's outcome ({@code "ok"}, {@code "out of
     * memory"}, {@code "failed: ..."}), for results built outside a search.
     *
     * @param batchSize the chosen batch size
     * @param stopReason the rule that ended the doubling
     * @param trials every trial, in order
     * @param settings the settings the search ran with
     * @param elapsed wall time of the whole tuning
     * @param context the model, device and machine
     */
    public TuningResult(
            int batchSize,
            StopReason stopReason,
            List<Trial> trials,
            SearchSettings settings,
            Duration elapsed,
            TuningContext context) {
        this(batchSize, stopReason, trials, settings, elapsed, context, outcomes(trials));
    }

    /**
     * Returns a copy that says where the tuning ran.
     *
     * @param newContext the model, device and machine
     * @param newElapsed wall time of the whole tuning, probing included
     * @return the copy
     */
    public TuningResult withContext(TuningContext newContext, Duration newElapsed) {
        return new TuningResult(
                batchSize,
                stopReason,
                trials,
                settings,
                newElapsed,
                newContext,
                verdicts,
                noiseScale,
                accumulation,
                learningRate,
                explanation);
    }

    /**
     * Returns a copy with learning-rate advice, as {@link AutoBatch} adds it once it knows the
     * optimizer.
     *
     * @param advice the advice for {@link AccumulationPlan#globalBatchSize()}
     * @return the copy
     */
    public TuningResult withLearningRate(LearningRateAdvice advice) {
        return new TuningResult(
                batchSize,
                stopReason,
                trials,
                settings,
                elapsed,
                context,
                verdicts,
                noiseScale,
                accumulation,
                advice,
                explanation);
    }

    /**
     * Returns the confirmed throughput at a batch size: the centre of every measured trial at it
     * (the doubling's trial and its confirmation rounds), as the search judged it ({@link
     * Evidence#center}).
     *
     * @param size a batch size
     * @return samples per second, or {@code NaN} where no trial at that size was measured
     */
    public double confirmedSamplesPerSecond(int size) {
        double[] values = trials.stream()
                .filter(t -> t.ok() && t.batchSize() == size)
                .mapToDouble(Trial::samplesPerSecond)
                .toArray();
        return values.length == 0 ? Double.NaN : Evidence.center(values);
    }

    /**
     * Returns the measured trial at the chosen batch size.
     *
     * @return the trial, or empty if none at that size was measured
     */
    public Optional<Trial> chosenTrial() {
        return trials.stream().filter(t -> t.ok() && t.batchSize() == batchSize).findFirst();
    }

    /**
     * Returns a table for people: a header line with the choice, the stop reason and the budget,
     * then one row a trial (batch size, samples/s, step time, peak memory, verdict) with the
     * chosen row marked; then, where known, the gradient noise scale ({@code B_simple} and its
     * spread), the accumulation plan and the advised learning rate, a line each.
     *
     * @return the table, several lines
     */
    @Override
    public String toString() {
        return ResultTable.format(this);
    }

    private static List<String> outcomes(List<Trial> trials) {
        List<String> outcomes = new ArrayList<>(trials.size());
        for (Trial t : trials) {
            outcomes.add(t.outOfMemory() ? "out of memory" : t.failed() ? "failed: " + t.failure() : "ok");
        }
        return outcomes;
    }
}
