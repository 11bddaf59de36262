package dev.autobatch.autotune;

import dev.autobatch.core.Trial;

import java.time.Duration;
import java.util.List;

/**
 * The outcome of a tuning: the chosen batch size, why the search stopped, and every trial in the
 * order it ran.
 *
 * @param batchSize the chosen batch size
 * @param stopReason the rule that ended the doubling
 * @param trials every trial, in order
 * @param settings the settings the search ran with, the memory budget among them
 * @param elapsed wall time of the whole tuning
 * @param context the model, device and machine; {@link TuningContext#none()} for a bare search
 */
public record TuningResult(
        int batchSize,
        StopReason stopReason,
        List<Trial> trials,
        SearchSettings settings,
        Duration elapsed,
        TuningContext context) {

    /** Copies the trial list. */
    public TuningResult {
        trials = List.copyOf(trials);
    }

    /**
     * Returns a copy that says where the tuning ran.
     *
     * @param newContext the model, device and machine
     * @param newElapsed wall time of the whole tuning, probing included
     * @return the copy
     */
    public TuningResult withContext(TuningContext newContext, Duration newElapsed) {
        return new TuningResult(batchSize, stopReason, trials, settings, newElapsed, newContext);
    }
}
