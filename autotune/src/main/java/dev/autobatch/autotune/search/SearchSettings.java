package dev.autobatch.autotune.search;

import dev.autobatch.autotune.TuneOptions;
import dev.autobatch.autotune.advice.AccumulationPlan;
import dev.autobatch.core.Checks;
import java.time.Duration;

/**
 * The settings a search ran with: the {@link TuneOptions} that concern the search, and the facts of
 * the run (memory budget, data-set size, devices), as {@link #of} puts them together. The reports
 * read them back from {@code report.json} with the canonical constructor.
 *
 * @param goal what the search optimised
 * @param memoryBudgetBytes no trial whose predicted peak memory exceeds this many bytes is run;
 *     {@link #NO_MEMORY_BUDGET} when none was given
 * @param saturationThreshold the relative throughput gain below which more batch is not worth it,
 *     in (0, 1)
 * @param startBatchSize the first batch size tried
 * @param maxBatchSize the user's largest batch size the search may try
 * @param datasetSize the number of training samples, which caps the batch size at {@link
 *     #DATASET_CAP_DIVISOR 1/4} of it; {@code -1} if unknown
 * @param referenceBatchSize the batch size {@code B0} whose statistical efficiency is 1 for {@link
 *     Goal#GOODPUT}, and at which the reference learning rate works; at least 1
 * @param targetBatchSize the global batch size the user wants to train at, planned with gradient
 *     accumulation where it does not fit ({@link AccumulationPlan}); 0 for none
 * @param devices the devices that train in parallel, each on its own batch; at least 1 (1 on a CPU)
 * @param timeBudget the wall time the whole search may take; trials predicted to overrun it are
 *     not started
 */
public record SearchSettings(
        Goal goal,
        long memoryBudgetBytes,
        double saturationThreshold,
        int startBatchSize,
        int maxBatchSize,
        long datasetSize,
        int referenceBatchSize,
        int targetBatchSize,
        int devices,
        Duration timeBudget) {

    /** The budget that means "no budget": only running out of memory limits the batch. */
    public static final long NO_MEMORY_BUDGET = Long.MAX_VALUE;

    /**
     * The batch size is capped at the data set's size divided by this: a batch larger than a
     * quarter of the data leaves fewer than four steps an epoch, too few to train on.
     */
    public static final int DATASET_CAP_DIVISOR = 4;

    /**
     * The default time budget of a search: long enough for the doubling and confirmation of a
     * model whose largest useful trial takes a few seconds, short enough to tune at every start.
     */
    public static final Duration DEFAULT_TIME_BUDGET = Duration.ofSeconds(60);

    /** The default relative throughput gain below which more batch is not worth it: 5%. */
    public static final double DEFAULT_SATURATION_THRESHOLD = 0.05;

    /** The default first batch size tried. */
    public static final int DEFAULT_START_BATCH_SIZE = 2;

    /** Validates the components that have no "unknown" value. */
    public SearchSettings {
        if (referenceBatchSize < 1) {
            throw new IllegalArgumentException(
                    "reference batch size must be at least 1, got " + referenceBatchSize + "; 32 is the default");
        }
        if (targetBatchSize < 0) {
            throw new IllegalArgumentException(
                    "target batch size must be positive, or 0 for none, got " + targetBatchSize);
        }
        if (devices < 1) {
            throw new IllegalArgumentException("devices must be at least 1, got " + devices);
        }
        Checks.positive(timeBudget, "the time budget", "60 s is the default");
    }

    /**
     * The settings a search runs with: the options, plus the facts of the run that only the
     * caller knows.
     *
     * @param options the options; their goal, threshold, start, maximum (none: {@link
     *     BatchSizeSearch#DEFAULT_MAX_BATCH_SIZE}), reference and target batch sizes and time budget
     * @param memoryBudgetBytes the budget in bytes, derived from the hardware or given; {@link
     *     #NO_MEMORY_BUDGET} for none
     * @param datasetSize the number of training samples, or {@code -1} if unknown
     * @param devices the devices that train in parallel, at least 1
     * @return the settings
     */
    public static SearchSettings of(TuneOptions options, long memoryBudgetBytes, long datasetSize, int devices) {
        return new SearchSettings(
                options.goal(),
                memoryBudgetBytes,
                options.saturationThreshold(),
                options.startBatchSize(),
                options.maxBatchSize().orElse(BatchSizeSearch.DEFAULT_MAX_BATCH_SIZE),
                datasetSize,
                options.referenceBatchSize(),
                options.targetBatchSize().orElse(0),
                devices,
                options.timeBudget());
    }

    /**
     * Returns whether a memory budget was set.
     *
     * @return {@code false} for {@link #NO_MEMORY_BUDGET}
     */
    public boolean hasMemoryBudget() {
        return memoryBudgetBytes != NO_MEMORY_BUDGET;
    }

    /**
     * Returns the cap the data set puts on the batch size: a quarter of the data set, but never
     * below the start batch size (so the start is always tried).
     *
     * @return the cap, or {@link Integer#MAX_VALUE} if the data-set size is unknown
     */
    public int datasetCap() {
        if (datasetSize < 0) {
            return Integer.MAX_VALUE;
        }
        return (int) Math.max(startBatchSize, Math.min(Integer.MAX_VALUE, datasetSize / DATASET_CAP_DIVISOR));
    }

    /**
     * Returns the largest batch size the search may try: the smaller of the user's maximum and the
     * data-set cap.
     *
     * @return the cap
     */
    public int batchSizeCap() {
        return Math.min(maxBatchSize, datasetCap());
    }

    /**
     * Returns the stop reason that reaching {@link #batchSizeCap()} gives: {@link
     * StopReason#DATASET_SIZE} where the data set caps below the user's maximum, {@link
     * StopReason#MAX_BATCH_SIZE} otherwise.
     *
     * @return the reason
     */
    public StopReason capStopReason() {
        return datasetCap() < maxBatchSize ? StopReason.DATASET_SIZE : StopReason.MAX_BATCH_SIZE;
    }
}
