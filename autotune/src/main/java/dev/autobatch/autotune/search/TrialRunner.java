package dev.autobatch.autotune.search;

import dev.autobatch.core.Trial;

/**
 * Runs one training trial at a batch size and reports what it measured. The search calls it; the
 * real implementation is {@code core}'s {@code DjlTrialRunner}, tests replay measured traces.
 *
 * <p>A runner reports running out of memory as {@link Trial#outOfMemory(int)} and other failures
 * as {@link Trial#failed(int, String)}; an exception it throws ends the search with that error.
 */
@FunctionalInterface
public interface TrialRunner {

    /**
     * Runs one trial.
     *
     * @param batchSize the batch size, at least 1
     * @return what the trial measured
     */
    Trial run(int batchSize);
}
