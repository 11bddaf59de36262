package dev.autobatch.autotune.report;

import dev.autobatch.autotune.TuningResult;
import dev.autobatch.autotune.internal.Bytes;
import dev.autobatch.autotune.search.SearchSettings;
import dev.autobatch.core.MemoryMeasurement;
import dev.autobatch.core.Trial;
import java.util.Locale;

/** The words the reports share: trial outcomes, stop reasons and why a size was chosen. */
final class Wording {

    /** The outcome of a measured trial, as metrics tags and {@code report.json} name it. */
    static final String OK = "ok";
    /** The outcome of a trial that ran out of memory. */
    static final String OUT_OF_MEMORY = "out_of_memory";
    /** The outcome of a trial that failed for another reason. */
    static final String FAILED = "failed";
    /** The outcome of the trial predicted above the memory budget and therefore not run. */
    static final String SKIPPED_OVER_BUDGET = "skipped_over_budget";

    private Wording() {}

    /**
     * Names a trial's outcome.
     *
     * @param trial the trial
     * @return {@link #OK}, {@link #OUT_OF_MEMORY} or {@link #FAILED}
     */
    static String outcome(Trial trial) {
        if (trial.outOfMemory()) {
            return OUT_OF_MEMORY;
        }
        return trial.failed() ? FAILED : OK;
    }

    /**
     * Says in words why the search stopped, with the numbers that made it stop.
     *
     * @param result the result
     * @return a clause without a final full stop, such as {@code "batch size 1,024 ran out of
     *     memory"}
     */
    static String stopReason(TuningResult result) {
        SearchSettings settings = result.settings();
        return switch (result.stopReason()) {
            case OUT_OF_MEMORY ->
                result.trials().stream()
                        .filter(Trial::outOfMemory)
                        .findFirst()
                        .map(t -> "batch size " + count(t.batchSize()) + " ran out of memory")
                        .orElse("a trial ran out of memory");
            case MEMORY_BUDGET ->
                "the next batch size's predicted peak memory was above the budget of "
                        + Bytes.format(budgetBytes(settings))
                        + ", so it was not run";
            case THROUGHPUT_SATURATED ->
                "a larger batch no longer paid: the last two doublings raised throughput"
                        + " by at most " + percent(settings.saturationThreshold() / 2)
                        + " (one doubling where the next trial was expensive)"
                        + switch (settings.goal()) {
                            case BALANCED -> ", or a size past the statistical-efficiency bound ran";
                            case GOODPUT ->
                                ", or goodput fell more than " + percent(settings.saturationThreshold())
                                        + " below its best";
                            default -> "";
                        };
            case MAX_BATCH_SIZE -> "the next batch size would exceed the maximum of " + count(settings.maxBatchSize());
            case DATASET_SIZE -> "the next batch size would exceed the cap derived from the training set's size";
            case TIME_BUDGET ->
                "the next trial was predicted to overrun the time budget of "
                        + String.format(
                                Locale.ROOT, "%.0f s", settings.timeBudget().toMillis() / 1000.0);
            case TRIAL_FAILED ->
                result.trials().stream()
                        .filter(Trial::failed)
                        .findFirst()
                        .map(t -> "batch size " + count(t.batchSize()) + " failed: " + t.failure())
                        .orElse("a trial failed");
        };
    }

    /**
     * Says in words why the chosen size was chosen: the explanation of the goal's rule that chose
     * it ({@link TuningResult#explanation()}).
     *
     * @param result the result
     * @return one or more sentences
     */
    static String choice(TuningResult result) {
        if (!result.explanation().isEmpty()) {
            return result.explanation();
        }
        return "Batch size " + count(result.batchSize()) + " was chosen for "
                + result.settings().goal() + "; this result was stored without the explanation of its choice.";
    }

    /**
     * Returns the memory budget, or {@code -1} when the settings name none.
     *
     * @param settings the settings
     * @return bytes, or {@code -1}
     */
    static long budgetBytes(SearchSettings settings) {
        long budget = settings.memoryBudgetBytes();
        return budget > 0 && budget < Long.MAX_VALUE ? budget : -1;
    }

    /**
     * Says which memory a trial's peak describes.
     *
     * @param measurement the measurement
     * @return a phrase
     */
    static String memory(MemoryMeasurement measurement) {
        return switch (measurement) {
            case HOST_PEAK_RSS -> "peak resident set of the process (VmHWM)";
            case HOST_SAMPLED_RSS -> "highest sampled resident set of the process";
            case DEVICE_USED -> "device memory in use after the measured steps";
            case NONE -> "not measured";
        };
    }

    /**
     * Formats a count with thousands separators: {@code 4,096}.
     *
     * @param value the count
     * @return the text
     */
    static String count(long value) {
        return String.format(Locale.ROOT, "%,d", value);
    }

    /**
     * Formats a fraction as a percentage without needless decimals: {@code 0.05} as {@code 5%}.
     *
     * @param fraction the fraction
     * @return the text
     */
    static String percent(double fraction) {
        double percent = fraction * 100;
        if (Math.abs(percent - Math.rint(percent)) < 1e-9) {
            return String.format(Locale.ROOT, "%.0f%%", percent);
        }
        return String.format(Locale.ROOT, "%.1f%%", percent);
    }
}
