package dev.autobatch.autotune.report;

import dev.autobatch.autotune.TuningContext;
import dev.autobatch.autotune.TuningResult;
import dev.autobatch.autotune.advice.AccumulationPlan;
import dev.autobatch.autotune.advice.NoiseScale;
import dev.autobatch.autotune.probe.GpuInfo;
import dev.autobatch.autotune.probe.HardwareSnapshot;
import dev.autobatch.autotune.search.BatchSizeSearch;
import dev.autobatch.autotune.search.Goal;
import dev.autobatch.autotune.search.SearchSettings;
import dev.autobatch.core.MemoryMeasurement;
import dev.autobatch.core.Trial;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** Writes {@code report.md}: the choice and why, the setting, and a table of every trial. */
final class ReportMarkdown {

    /** What a trial's measured step is, as {@code core}'s trial runner times it. */
    static final String TRIAL_STEP = "a step is `EasyTrain.trainBatch` (the batch split across the"
            + " configuration's devices, forward, loss, backward, and the per-batch work of DJL's own listeners"
            + " where it has them: evaluators, progress line, divergence check, timing) and `trainer.step()`;"
            + " fetching the batch and listeners of other types are left out";

    /** What the trial table's spread column means, for the sentence above the table. */
    private static final String SPREAD_NOTE =
            "Spread is half the interquartile range of the measured steps' times relative"
                    + " to their median: the middle half of the steps ran within that much of the median step time (blank"
                    + " where the trial recorded no spread).";

    private ReportMarkdown() {}

    /**
     * Renders the report.
     *
     * @param result the result
     * @param chartFileName the chart image to link, relative to the report
     * @return Markdown text, ending in a newline
     */
    static String render(TuningResult result, String chartFileName) {
        TuningContext context = result.context();
        SearchSettings settings = result.settings();
        HardwareSnapshot hardware = context.hardware();
        StringBuilder md = new StringBuilder();

        md.append("# AutoBatch report: batch size ")
                .append(Wording.count(result.batchSize()))
                .append("\n\n");
        md.append(Wording.choice(result)).append("\n\n");
        md.append("The search stopped because ")
                .append(Wording.stopReason(result))
                .append(".\n\n");

        md.append("| | |\n| --- | --- |\n");
        row(md, "Model", context.modelName());
        row(md, "Device", context.device());
        row(md, "Goal", goal(settings));
        long budget = result.memoryBudgetBytes();
        row(md, "Memory budget", Bytes.format(budget) + " (" + context.budgetBasis() + ")");
        row(md, "Batch sizes", batchSizes(settings));
        row(
                md,
                "Each trial",
                "at least " + plural(context.warmupSteps(), "warm-up step") + ", then at least "
                        + plural(context.measuredSteps(), "measured training step") + "; " + TRIAL_STEP);
        row(
                md,
                "Tuning time",
                String.format(Locale.ROOT, "%.1f s", result.elapsed().toMillis() / 1000.0));
        row(
                md,
                "Processor",
                hardware.cpuModel() + ", " + known(hardware.physicalCores(), "core") + ", "
                        + known(hardware.logicalCores(), "thread"));
        row(
                md,
                "Host memory",
                Bytes.format(hardware.totalMemoryBytes()) + " ("
                        + Bytes.format(hardware.availableMemoryBytes()) + " available"
                        + (hardware.containerLimitBytes() >= 0
                                ? ", container limit " + Bytes.format(hardware.containerLimitBytes())
                                : "")
                        + ")");
        for (GpuInfo gpu : hardware.gpus()) {
            row(
                    md,
                    "GPU " + gpu.index(),
                    gpu.name() + ", " + Bytes.format(gpu.totalBytes()) + " (" + Bytes.format(gpu.freeBytes())
                            + " free, read through " + gpu.source() + ")");
        }
        row(
                md,
                "Engine",
                hardware.engine() + ", " + known(hardware.engineThreads(), "intra-op thread") + ", "
                        + known(hardware.engineInteropThreads(), "inter-op thread"));

        md.append("\n## Training with it\n\n");
        md.append("| | |\n| --- | --- |\n");
        row(md, "Gradient noise scale", result.noiseScale().describe());
        row(md, "Batch per step", result.accumulation().describe());
        row(md, "Learning rate", result.learningRate().describe());
        md.append('\n');
        md.append(advice(result)).append('\n');

        md.append("\n## Trials\n\n");
        md.append("In the order they ran. ")
                .append(SPREAD_NOTE)
                .append(' ')
                .append(memoryNote(result.trials()))
                .append("\n\n");
        boolean gradients = result.trials().stream().anyMatch(t -> Double.isFinite(t.gradientNormSquared()));
        md.append("| batch size | outcome | samples/s | spread | median step | peak memory | above baseline |");
        md.append(gradients ? " gradient norm² (mean ± sd over steps) |\n" : "\n");
        md.append("| ---: | --- | ---: | ---: | ---: | ---: | ---: |").append(gradients ? " ---: |\n" : "\n");
        Trial chosen = result.chosenTrial().orElse(null);
        for (Trial trial : result.trials()) {
            boolean isChosen = trial == chosen;
            List<String> cells = new ArrayList<>();
            cells.add(bold(Wording.count(trial.batchSize()), isChosen));
            cells.add(bold(Wording.trialOutcome(trial) + (isChosen ? ", chosen" : ""), isChosen));
            cells.add(trial.ok() ? String.format(Locale.ROOT, "%,.0f", trial.samplesPerSecond()) : "");
            cells.add(ResultTable.spread(trial));
            cells.add(stepTime(trial.medianStepSeconds()));
            cells.add(trial.peakMemoryBytes() >= 0 ? Bytes.format(trial.peakMemoryBytes()) : "");
            cells.add(trial.peakAboveBaselineBytes() >= 0 ? Bytes.format(trial.peakAboveBaselineBytes()) : "");
            if (gradients) {
                cells.add(gradientNorm(trial));
            }
            md.append("| ")
                    .append(String.join(
                            " | ", cells.stream().map(ReportMarkdown::cell).toList()))
                    .append(" |\n");
        }
        md.append("\n![Throughput and peak memory against batch size](")
                .append(chartFileName)
                .append(")\n");
        return md.toString();
    }

    /**
     * The sizes the search could try: from the start up to the cap that applied, the data's or the
     * user's, and no "at most" where neither applied (a search without a maximum or data).
     */
    static String batchSizes(SearchSettings settings) {
        String from = "from " + Wording.count(settings.startBatchSize());
        long samples = settings.datasetSize();
        if (samples >= 0 && settings.datasetCap() <= settings.maxBatchSize()) {
            int cap = settings.datasetCap();
            return from + ", at most " + Wording.count(cap)
                    + (cap == samples / SearchSettings.DATASET_CAP_DIVISOR
                            ? " (a quarter of the " + Wording.count(samples) + " training samples)"
                            : " (the start: the " + Wording.count(samples) + " training samples allow no larger)");
        }
        if (settings.maxBatchSize() != BatchSizeSearch.DEFAULT_MAX_BATCH_SIZE) {
            return from + ", at most " + Wording.count(settings.maxBatchSize()) + " (the maximum given)";
        }
        return from;
    }

    private static String gradientNorm(Trial trial) {
        if (!Double.isFinite(trial.gradientNormSquared())) {
            return "";
        }
        String mean = String.format(Locale.ROOT, "%.4g", trial.gradientNormSquared());
        return Double.isFinite(trial.gradientNormSquaredStdDev())
                ? mean + " ± " + String.format(Locale.ROOT, "%.2g", trial.gradientNormSquaredStdDev())
                : mean;
    }

    /** What the three rows above mean for the training run, in a sentence or two. */
    private static String advice(TuningResult result) {
        StringBuilder text = new StringBuilder();
        AccumulationPlan plan = result.accumulation();
        if (plan.accumulates()) {
            text.append("The target batch does not fit: accumulate the gradients of ")
                    .append(plan.accumulationSteps())
                    .append(" micro-batches of ")
                    .append(Wording.count(plan.microBatchSize()))
                    .append(" before each optimizer step (`GradientAccumulation.trainStep` in `dev.autobatch.core`). ");
        }
        NoiseScale noise = result.noiseScale();
        if (noise.isKnown()) {
            text.append("Up to about the noise scale a larger batch saves steps; well above it, it only costs"
                    + " samples. The noise scale grows as training proceeds, so this one, measured where the model"
                    + " stood when tuned, is a lower bound for later epochs.");
        } else {
            text.append("Without a noise scale, the batch size's effect on the steps to converge is unknown.");
        }
        return text.toString();
    }

    private static String goal(SearchSettings settings) {
        if (settings.goal() == Goal.MAX_FIT) {
            return "largest fit: the largest batch size that runs within the memory budget";
        }
        if (settings.goal() == Goal.GOODPUT) {
            return "goodput: the batch size with the most throughput times statistical efficiency (reference batch"
                    + " size " + Wording.count(settings.referenceBatchSize()) + ") within the memory budget";
        }
        return "throughput: the smallest batch size within " + Wording.percent(settings.saturationThreshold())
                + " of the best throughput within the memory budget";
    }

    private static String memoryNote(List<Trial> trials) {
        Set<MemoryMeasurement> kinds = new LinkedHashSet<>();
        for (Trial trial : trials) {
            if (trial.memoryMeasurement() != MemoryMeasurement.NONE) {
                kinds.add(trial.memoryMeasurement());
            }
        }
        if (kinds.isEmpty()) {
            return "Memory was not measured.";
        }
        List<String> phrases = new ArrayList<>();
        for (MemoryMeasurement kind : kinds) {
            phrases.add(Wording.memory(kind));
        }
        return "Peak memory is the " + String.join("; or the ", phrases)
                + "; above baseline is what the trial added to the memory in use before it.";
    }

    private static String stepTime(double seconds) {
        if (!Double.isFinite(seconds)) {
            return "";
        }
        if (seconds < 1) {
            return String.format(Locale.ROOT, "%.2f ms", seconds * 1000);
        }
        return String.format(Locale.ROOT, "%.2f s", seconds);
    }

    /** Counts a thing that may be unknown: {@code "8 cores"}, {@code "cores unknown"}. */
    private static String known(int value, String thing) {
        return value >= 0 ? plural(value, thing) : thing + "s unknown";
    }

    /** Counts a thing in English: {@code "1 warm-up step"}, {@code "2 warm-up steps"}. */
    private static String plural(int value, String thing) {
        return value + " " + thing + (value == 1 ? "" : "s");
    }

    private static String bold(String text, boolean bold) {
        return bold ? "**" + text + "**" : text;
    }

    private static void row(StringBuilder md, String name, String value) {
        md.append("| ").append(name).append(" | ").append(cell(value)).append(" |\n");
    }

    /** Keeps a value inside its table cell: no line breaks, no unescaped column separators. */
    private static String cell(String text) {
        return String.valueOf(text).replace("\r", " ").replace("\n", " ").replace("|", "\\|");
    }
}
