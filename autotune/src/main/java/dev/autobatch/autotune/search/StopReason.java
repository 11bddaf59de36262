package dev.autobatch.autotune.search;

/** Which rule ended the doubling of the batch size. */
public enum StopReason {
    /** A trial ran out of memory. */
    OUT_OF_MEMORY,
    /**
     * The next trial's predicted peak memory was above the budget, so it was not run; or a trial's
     * measured peak was above it, so it does not count as fitting.
     */
    MEMORY_BUDGET,
    /**
     * More batch could not pay: throughput no longer rose by more than half the saturation
     * threshold over two doublings (for {@link Goal#GOODPUT}, also: goodput fell below the best).
     */
    THROUGHPUT_SATURATED,
    /** The next size would exceed the user's maximum batch size. */
    MAX_BATCH_SIZE,
    /** The next size would exceed the cap derived from the training set's size. */
    DATASET_SIZE,
    /**
     * The next trial was predicted to overrun the search's time budget, so it was not started; the
     * choice is among the sizes measured.
     */
    TIME_BUDGET,
    /**
     * A trial failed for a reason other than memory after earlier trials had succeeded; the choice
     * is among the trials that succeeded, and the failure is in the trial list.
     */
    TRIAL_FAILED
}
