package dev.autobatch.examples;

import dev.autobatch.autotune.report.Bytes;
import dev.autobatch.autotune.report.Wording;
import dev.autobatch.core.Trial;
import java.util.Locale;

/** The main job's progress lines, in fixed columns so that trials line up as they complete. */
final class ProgressLines {

    private ProgressLines() {}

    /**
     * Describes a trial in the progress line the main job prints as it completes; a trial that
     * was not measured in the words of {@link Wording#trialOutcome}, bytes as {@link Bytes} writes
     * them.
     *
     * @param trial the trial
     * @return such as {@code "trial batch      64:      12,345 samples/s ±2.1%, peak memory 512.0 MiB"}
     *     or {@code "trial batch    4096: out of memory"}
     */
    static String trial(Trial trial) {
        if (!trial.ok()) {
            return String.format(Locale.ROOT, "trial batch %7d: %s", trial.batchSize(), Wording.trialOutcome(trial));
        }
        return String.format(
                Locale.ROOT,
                "trial batch %7d: %,11.0f samples/s %-7s peak memory %s",
                trial.batchSize(),
                trial.samplesPerSecond(),
                Double.isFinite(trial.relativeSpread())
                        ? String.format(Locale.ROOT, "±%.1f%%,", 50 * trial.relativeSpread())
                        : ",",
                Bytes.format(trial.peakMemoryBytes()));
    }
}
