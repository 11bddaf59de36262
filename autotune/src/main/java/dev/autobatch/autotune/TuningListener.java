package dev.autobatch.autotune;

import dev.autobatch.core.Trial;

/** Hears each trial as it completes, and long trials while they run, for progress output. Methods run on the tuning thread. */
@FunctionalInterface
public interface TuningListener {

    /** A listener that does nothing. */
    TuningListener NONE = (trial, verdict) -> {};

    /**
     * Called after each trial.
     *
     * @param trial what the trial measured
     * @param verdict what the search concluded from it, a short phrase such as {@code "ok"},
     *     {@code "out of memory"} or {@code "throughput saturated"}
     */
    void onTrial(Trial trial, String verdict);

    /**
     * Called now and then while a long trial runs (every 2 s or so with {@code core}'s runner),
     * so that people see it is alive; does nothing unless overridden.
     *
     * @param batchSize the trial's batch size
     * @param phase {@code "warm-up"} or {@code "measuring"}
     * @param steps the steps of that phase so far
     * @param elapsedSeconds the trial's wall time so far, in seconds
     */
    default void onProgress(int batchSize, String phase, int steps, double elapsedSeconds) {}
}
