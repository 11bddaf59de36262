package dev.autobatch.autotune;

import dev.autobatch.autotune.internal.ResultTable;
import dev.autobatch.core.Trial;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The outcome of a tuning: the chosen batch size, why the search stopped, and every trial in the
 * order it ran. {@link #toString()} is a table of the trials for people.
 *
 * @param batchSize the chosen batch size
 * @param stopReason the rule that ended the doubling
 * @param trials every trial, in order
 * @param settings the settings the search ran with, the memory budget among them
 * @param elapsed wall time of the whole tuning
 * @param context the model, device and machine; {@link TuningContext#none()} for a bare search
 * @param verdicts what the search concluded from each trial, one short phrase a trial in the same
 *     order, such as {@code "ok"}, {@code "out of memory"} or {@code "throughput saturated"}
 */
public record TuningResult(
        int batchSize,
        StopReason stopReason,
        List<Trial> trials,
        SearchSettings settings,
        Duration elapsed,
        TuningContext context,
        List<String> verdicts) {

    /** Copies the lists and checks that there is one verdict a trial. */
    public TuningResult {
        trials = List.copyOf(trials);
        verdicts = List.copyOf(verdicts);
        if (verdicts.size() != trials.size()) {
            throw new IllegalArgumentException(
                    "need one verdict a trial, got " + verdicts.size() + " verdicts for " + trials.size() + " trials");
        }
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
        return new TuningResult(batchSize, stopReason, trials, settings, newElapsed, newContext, verdicts);
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
     * chosen row marked.
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
