package dev.autobatch.autotune;

/**
 * The settings a search ran with, as the builder of {@link BatchSizeSearch} resolved them.
 *
 * @param goal what the search optimised
 * @param memoryBudgetBytes no trial whose predicted peak memory exceeds this many bytes is run
 * @param saturationThreshold the relative throughput gain below which more batch is not worth it,
 *     in (0, 1)
 * @param startBatchSize the first batch size tried
 * @param maxBatchSize the largest batch size the search may try
 */
public record SearchSettings(
        Goal goal,
        long memoryBudgetBytes,
        double saturationThreshold,
        int startBatchSize,
        int maxBatchSize) {}
