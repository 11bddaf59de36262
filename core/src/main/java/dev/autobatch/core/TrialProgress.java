package dev.autobatch.core;

/**
 * Hears how a long trial is getting on. {@link DjlTrialRunner} calls it from the thread that runs
 * the trial, about every {@link DjlTrialRunner#PROGRESS_INTERVAL_SECONDS} seconds of the trial's
 * wall time and never before that much has passed, so a short trial reports nothing. It is called
 * between steps, outside the timed spans, but its own time counts against the trial's cap: keep
 * it quick. An exception it throws fails the trial.
 */
@FunctionalInterface
public interface TrialProgress {

    /** The phase of unmeasured steps before the measured ones. */
    String WARM_UP = "warm-up";

    /** The phase of measured steps. */
    String MEASURING = "measuring";

    /** Hears nothing: the default. */
    TrialProgress NONE = (batchSize, phase, steps, elapsedSeconds) -> {};

    /**
     * Called while a trial runs.
     *
     * @param batchSize the trial's batch size
     * @param phase {@link #WARM_UP} or {@link #MEASURING}
     * @param steps the steps run so far in that phase
     * @param elapsedSeconds the trial's wall time so far in seconds, warm-up included
     */
    void onProgress(int batchSize, String phase, int steps, double elapsedSeconds);
}
