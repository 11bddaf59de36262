package dev.autobatch.autotune.report;

import dev.autobatch.autotune.search.Goal;
import dev.autobatch.autotune.NoiseScale;
import dev.autobatch.autotune.search.SearchSettings;
import dev.autobatch.autotune.TuningResult;
import dev.autobatch.autotune.internal.Bytes;
import dev.autobatch.core.MemoryMeasurement;
import dev.autobatch.core.Trial;

import java.util.Comparator;
import java.util.Locale;
import java.util.Optional;

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
            case OUT_OF_MEMORY -> result.trials().stream()
                    .filter(Trial::outOfMemory)
                    .findFirst()
                    .map(t -> "batch size " + count(t.batchSize()) + " ran out of memory")
                    .orElse("a trial ran out of memory");
            case MEMORY_BUDGET -> "the next batch size's predicted peak memory was above the budget of "
                    + Bytes.format(budgetBytes(settings))
                    + ", so it was not run";
            case THROUGHPUT_SATURATED -> "a larger batch no longer raised throughput by more than "
                    + percent(settings.saturationThreshold());
            case MAX_BATCH_SIZE -> "the next batch size would exceed the maximum of "
                    + count(settings.maxBatchSize());
            case DATASET_SIZE -> "the next batch size would exceed the cap derived from the training set's size";
            case TRIAL_FAILED -> result.trials().stream()
                    .filter(Trial::failed)
                    .findFirst()
                    .map(t -> "batch size " + count(t.batchSize()) + " failed: " + t.failure())
                    .orElse("a trial failed");
        };
    }

    /**
     * Says in words why the chosen size was chosen, from the goal and the measured trials.
     *
     * @param result the result
     * @return a sentence
     */
    static String choice(TuningResult result) {
        String size = "Batch size " + count(result.batchSize());
        Optional<Trial> chosen = result.chosenTrial();
        if (chosen.isEmpty()) {
            return size + " was chosen; no measured trial ran at that size.";
        }
        Trial trial = chosen.get();
        if (result.settings().goal() == Goal.GOODPUT) {
            NoiseScale noise = result.noiseScale();
            if (!noise.isKnown()) {
                return "The gradient noise scale is " + noise.describe() + ", so GOODPUT fell back to the"
                        + " THROUGHPUT choice. " + throughputChoice(result, trial);
            }
            SearchSettings settings = result.settings();
            long global = (long) result.batchSize() * settings.devices();
            return size
                    + " has the most goodput, throughput times statistical efficiency, with throughput"
                    + " smoothed over the trials: it measured "
                    + throughput(trial)
                    + " at an efficiency of "
                    + String.format(Locale.ROOT, "%.2f", noise.efficiency(global, settings.referenceBatchSize()))
                    + " relative to batch size "
                    + count(settings.referenceBatchSize())
                    + ", at a gradient noise scale of "
                    + String.format(Locale.ROOT, "%,.0f", noise.bSimple())
                    + ".";
        }
        if (result.settings().goal() == Goal.MAX_FIT) {
            return size
                    + " is the largest that ran within the memory budget: peak "
                    + Bytes.format(trial.peakMemoryBytes())
                    + " of "
                    + Bytes.format(budgetBytes(result.settings()))
                    + ".";
        }
        return throughputChoice(result, trial);
    }

    /** Why the throughput goal chose the trial's size. */
    private static String throughputChoice(TuningResult result, Trial trial) {
        String size = "Batch size " + count(result.batchSize());
        Trial best = bestTrial(result).orElse(trial);
        if (best.batchSize() == trial.batchSize()) {
            return size + " gave the best throughput measured: " + throughput(trial) + ".";
        }
        double threshold = result.settings().saturationThreshold();
        if (trial.samplesPerSecond() < (1 - threshold) * best.samplesPerSecond()) {
            // The search judges noisy timings by a model fitted to all sizes, not one lucky trial.
            return size
                    + " is the smallest within "
                    + percent(threshold)
                    + " of the best throughput once timing noise is smoothed across sizes (measured: "
                    + throughput(trial)
                    + " here, "
                    + throughput(best)
                    + " at batch size "
                    + count(best.batchSize())
                    + ").";
        }
        return size
                + " is the smallest whose throughput ("
                + throughput(trial)
                + ") is within "
                + percent(result.settings().saturationThreshold())
                + " of the best measured ("
                + throughput(best)
                + " at batch size "
                + count(best.batchSize())
                + ").";
    }

    /**
     * Finds the measured trial with the highest throughput.
     *
     * @param result the result
     * @return the trial, or empty when no trial was measured
     */
    static Optional<Trial> bestTrial(TuningResult result) {
        return result.trials().stream()
                .filter(Trial::ok)
                .max(Comparator.comparingDouble(Trial::samplesPerSecond));
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
     * Formats a measured trial's throughput: {@code 413,725 samples/s}.
     *
     * @param trial a measured trial
     * @return the text
     */
    static String throughput(Trial trial) {
        return String.format(Locale.ROOT, "%,.0f samples/s", trial.samplesPerSecond());
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
