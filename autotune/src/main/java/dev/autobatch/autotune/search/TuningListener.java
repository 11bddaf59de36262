package dev.autobatch.autotune.search;

import dev.autobatch.core.Trial;

/** Hears each trial as it completes, for progress output. Methods run on the tuning thread. */
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
}
