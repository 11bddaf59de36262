package dev.autobatch.autotune.report;

import dev.autobatch.autotune.TuningResult;
import dev.autobatch.autotune.advice.AccumulationPlan;
import dev.autobatch.autotune.search.Goal;
import dev.autobatch.autotune.search.SearchSettings;
import dev.autobatch.core.Trial;
import java.util.List;
import java.util.Locale;

/** Formats a {@link TuningResult} as a plain-text table; the one place results are formatted. */
public final class ResultTable {

    private static final String MARK = "->";

    private ResultTable() {}

    /**
     * Formats the result: a header line, a column header, one row a trial in the order run, the
     * chosen row marked with {@code ->}; a measured trial's row shows its throughput and, where
     * known, the spread of that throughput ({@link #spread}; {@code -} where unknown); then, where known, a line each for the gradient noise
     * scale, the accumulation plan (with a target batch size or several devices) and the advised
     * learning rate.
     *
     * @param result the result
     * @return the table, lines separated by {@code \n}
     */
    public static String format(TuningResult result) {
        SearchSettings s = result.settings();
        StringBuilder out = new StringBuilder();
        out.append(String.format(
                Locale.ROOT,
                "batch size %d (goal %s): stopped on %s; memory budget %s; %d trials in %.2f s%n",
                result.batchSize(),
                s == null ? "?" : s.goal(),
                phrase(result.stopReason().name()),
                s == null || !s.hasMemoryBudget() ? "none" : Bytes.format(s.memoryBudgetBytes()),
                result.trials().size(),
                result.elapsed() == null ? 0.0 : result.elapsed().toNanos() / 1e9));
        out.append(String.format(
                Locale.ROOT,
                "%2s %10s %12s %7s %10s %12s  %s%n",
                "",
                "batch",
                "samples/s",
                "spread",
                "step ms",
                "peak memory",
                "verdict"));
        List<Trial> trials = result.trials();
        boolean marked = false;
        for (int i = 0; i < trials.size(); i++) {
            Trial t = trials.get(i);
            boolean chosen = !marked && t.ok() && t.batchSize() == result.batchSize();
            marked |= chosen;
            out.append(String.format(
                    Locale.ROOT,
                    "%2s %10d %12s %7s %10s %12s  %s%n",
                    chosen ? MARK : "",
                    t.batchSize(),
                    t.ok() ? samplesPerSecond(t.samplesPerSecond()) : "-",
                    spread(t).isEmpty() ? "-" : spread(t),
                    t.ok() ? String.format(Locale.ROOT, "%.2f", 1000.0 * t.batchSize() / t.samplesPerSecond()) : "-",
                    t.peakMemoryBytes() >= 0 ? Bytes.format(t.peakMemoryBytes()) : "-",
                    Wording.verdict(t, result.verdicts().get(i))));
        }
        // What to train with, where the result knows more than the batch size.
        if (result.noiseScale().isKnown() || (s != null && s.goal() == Goal.GOODPUT)) {
            out.append("gradient noise scale: ")
                    .append(result.noiseScale().describe())
                    .append('\n');
        }
        AccumulationPlan plan = result.accumulation();
        if (plan.targetBatchSize() > 0 || plan.accumulates() || plan.devices() > 1) {
            out.append("plan: ").append(plan.describe()).append('\n');
        }
        if (result.learningRate().isAdvised()) {
            out.append(result.learningRate().describe()).append('\n');
        }
        return out.toString();
    }

    /**
     * Formats a throughput with thousands separators and no decimals.
     *
     * @param samplesPerSecond the throughput
     * @return such as {@code "420,670"}
     */
    public static String samplesPerSecond(double samplesPerSecond) {
        return String.format(Locale.ROOT, "%,.0f", samplesPerSecond);
    }

    /**
     * Formats the spread of a trial's throughput: half the interquartile range of its step times
     * over their median ({@link Trial#relativeSpread()} / 2), as a percentage. The middle half of
     * the measured steps ran within that much of the median step time, so the throughput lies
     * between {@link Trial#samplesPerSecondLow()} and {@link Trial#samplesPerSecondHigh()}.
     *
     * @param trial the trial
     * @return such as {@code "±2.1%"} (two decimals below 0.1%, such as {@code "±0.04%"}), or
     *     {@code ""} where the spread is unknown: a trial not measured, or one without a recorded
     *     spread (a replay, {@link Trial#measured})
     */
    public static String spread(Trial trial) {
        double spread = trial.relativeSpread();
        if (!Double.isFinite(spread)) {
            return "";
        }
        double percent = spread / 2 * 100;
        return String.format(Locale.ROOT, percent > 0 && percent < 0.095 ? "±%.2f%%" : "±%.1f%%", percent);
    }

    private static String phrase(String constant) {
        return constant.toLowerCase(Locale.ROOT).replace('_', ' ');
    }
}
