package dev.autobatch.examples;

import dev.autobatch.core.Trial;
import java.util.Locale;

/** The main job's progress lines, in fixed columns so that trials line up as they complete. */
final class ProgressLines {

    private ProgressLines() {}

    /**
     * Describes a trial in the progress line the main job prints as it completes.
     *
     * @param trial the trial
     * @return such as {@code "trial batch      64:      12,345 samples/s ±2.1%, peak memory 512 MiB"}
     */
    static String trial(Trial trial) {
        if (trial.outOfMemory()) {
            return String.format(Locale.ROOT, "trial batch %7d: out of memory", trial.batchSize());
        }
        if (trial.failed()) {
            return String.format(Locale.ROOT, "trial batch %7d: failed (%s)", trial.batchSize(), trial.failure());
        }
        return String.format(
                Locale.ROOT,
                "trial batch %7d: %,11.0f samples/s %-7s peak memory %s",
                trial.batchSize(),
                trial.samplesPerSecond(),
                Double.isFinite(trial.relativeSpread())
                        ? String.format(Locale.ROOT, "±%.1f%%,", 50 * trial.relativeSpread())
                        : ",",
                mebibytes(trial.peakMemoryBytes()));
    }

    /**
     * Formats bytes as the main job prints them.
     *
     * @param bytes the count, or negative for unknown
     * @return such as {@code "512 MiB"} or {@code "1.5 GiB"}, or {@code "unknown"}
     */
    static String mebibytes(long bytes) {
        if (bytes < 0) {
            return "unknown";
        }
        return bytes >= 1L << 30
                ? String.format(Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30))
                : String.format(Locale.ROOT, "%,.0f MiB", bytes / 1048576.0);
    }
}
