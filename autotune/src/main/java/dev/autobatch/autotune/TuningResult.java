package dev.autobatch.autotune;

import dev.autobatch.autotune.advice.AccumulationPlan;
import dev.autobatch.autotune.advice.LearningRateAdvice;
import dev.autobatch.autotune.advice.NoiseScale;
import dev.autobatch.autotune.report.ResultTable;
import dev.autobatch.autotune.search.BatchSizeSearch;
import dev.autobatch.autotune.search.Evidence;
import dev.autobatch.autotune.search.SearchSettings;
import dev.autobatch.autotune.search.StopReason;
import dev.autobatch.autotune.search.Verdict;
import dev.autobatch.core.Trial;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The outcome of a tuning: the chosen batch size, why the search stopped, and every trial in the
 * order it ran; with the gradient noise scale the trials measured, the plan to train a target
 * batch size, the learning rate to train with, the memory budget and where the result came from.
 * {@link BatchSizeSearch#run} builds it once, complete; a cached result is the stored one marked
 * {@link Source#CACHED}. {@link #toString()} is a table of the trials for people.
 *
 * <p>Unknown values follow the policy of {@code dev.autobatch.autotune}'s {@code package-info}:
 * a byte figure that cannot be read is {@code -1}, a rate that cannot be measured is {@code NaN}.
 *
 * @param batchSize the chosen batch size
 * @param stopReason the rule that ended the doubling
 * @param trials every trial, in order
 * @param settings the settings the search ran with, the memory budget among them
 * @param elapsed wall time of the whole tuning
 * @param context the model, device and machine, and how the budget was derived; {@link
 *     TuningContext#none()} for a bare search
 * @param verdicts what the search concluded from each trial, one a trial in the same order;
 *     {@link dev.autobatch.autotune.report.Wording#verdict} words them
 * @param noiseScale the gradient noise scale estimated from the trials' gradient norms; {@link
 *     NoiseScale#unknown()}-like when they recorded none
 * @param accumulation how to train: micro-batch, devices and accumulation steps; without a target
 *     batch size, the chosen size on each device and no accumulation
 * @param learningRate the learning rate advised for the plan's global batch size; {@link
 *     LearningRateAdvice#none(int)} where the optimizer is not known (a bare search)
 * @param explanation why the size was chosen, in the words of the goal's rule that chose it, with
 *     the figures that decided; empty where not known (a result built outside a search)
 * @param source whether the trials were measured by this tuning or read from the cache
 */
public record TuningResult(
        int batchSize,
        StopReason stopReason,
        List<Trial> trials,
        SearchSettings settings,
        Duration elapsed,
        TuningContext context,
        List<Verdict> verdicts,
        NoiseScale noiseScale,
        AccumulationPlan accumulation,
        LearningRateAdvice learningRate,
        String explanation,
        Source source) {

    /** Where a result came from. */
    public enum Source {
        /** Its trials ran in this tuning. */
        MEASURED,
        /** It was stored by an earlier tuning and read from the cache; no trial ran. */
        CACHED
    }

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
        Objects.requireNonNull(source, "source");
    }

    /**
     * A measured result built outside a search, with what a search derives by itself from the
     * trials: each trial's outcome as its verdict ({@link Verdict#of(Trial)}), the noise scale
     * estimated from them ({@link NoiseScale#estimate}), the chosen size on each device of the
     * settings without accumulation, no learning-rate advice and no explanation.
     *
     * @param batchSize the chosen batch size
     * @param stopReason the rule that ended the doubling
     * @param trials every trial, in order
     * @param settings the settings the search ran with, or {@code null} if unknown
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
        this(
                batchSize,
                stopReason,
                trials,
                settings,
                elapsed,
                context,
                trials.stream().map(Verdict::of).toList(),
                NoiseScale.estimate(trials),
                AccumulationPlan.none(batchSize, settings == null ? 1 : settings.devices()),
                LearningRateAdvice.none(batchSize),
                "",
                Source.MEASURED);
    }

    /**
     * Returns the memory budget the search ran within.
     *
     * @return bytes, or {@code -1} where it ran without one (or its settings are not known)
     */
    public long memoryBudgetBytes() {
        return settings != null && settings.hasMemoryBudget() ? settings.memoryBudgetBytes() : -1;
    }

    /**
     * Returns how the memory budget was derived, a phrase for people.
     *
     * @return such as {@code "80% of 21.3 GiB: available host memory ..."}, or {@code "given"}
     */
    public String memoryBudgetBasis() {
        return context.budgetBasis();
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
}
