package dev.autobatch.autotune;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.training.dataset.Dataset;
import dev.autobatch.autotune.hardware.GpuMemoryProbe;
import dev.autobatch.autotune.hardware.HardwareProbe;
import dev.autobatch.autotune.hardware.HardwareSnapshot;
import dev.autobatch.autotune.hardware.MemoryBudget;
import dev.autobatch.autotune.report.ReportFiles;
import dev.autobatch.autotune.report.ReportWriter;
import dev.autobatch.autotune.report.TuningMetrics;
import dev.autobatch.core.DjlTrialRunner;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * The one-line entry point: measures a DJL model's training at growing batch sizes on this
 * machine and returns the batch size to train with.
 *
 * <pre>{@code
 * TuningResult result = AutoBatch.tune(model, trainingSet);
 * int batchSize = result.batchSize();
 * }</pre>
 *
 * <p>The model's parameters are exactly as they were afterwards. The result is also published to
 * Micrometer's global registry ({@link TuningMetrics#global()}): add your backend's registry to
 * {@code Metrics.globalRegistry} to scrape the chosen size.
 */
public final class AutoBatch {

    private static final Logger LOG = LoggerFactory.getLogger(AutoBatch.class);

    private AutoBatch() {}

    /**
     * Tunes with every default: {@link Goal#THROUGHPUT}, 80% of the training device's available
     * memory, a 5% saturation threshold, softmax cross-entropy and SGD.
     *
     * @param model the model, with its block set
     * @param data the training data, a DJL {@code RandomAccessDataset}
     * @return the result
     */
    public static TuningResult tune(Model model, Dataset data) {
        return tune(model, data, TuneOptions.defaults());
    }

    /**
     * Tunes with the given options: probes the machine, derives the memory budget for the device
     * that trains, then runs {@link BatchSizeSearch} with real training trials. Each trial is
     * logged as it completes and passed to the options' listener.
     *
     * @param model the model, with its block set; its parameters are unchanged afterwards
     * @param data the training data, a DJL {@code RandomAccessDataset}
     * @param options the options
     * @return the result, with the machine, the device and the budget in its context
     * @throws IllegalArgumentException for a model without a block, data that cannot be
     *     re-batched or is empty, or a start size above the data's size
     * @throws IllegalStateException if every trial failed for a reason other than memory (the
     *     message names the first failure) or no budget can be derived
     */
    public static TuningResult tune(Model model, Dataset data, TuneOptions options) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(options, "options");
        long started = System.nanoTime();
        HardwareSnapshot hardware = HardwareProbe.snapshot(model.getNDManager().getEngine());
        DjlTrialRunner.Builder runnerBuilder =
                DjlTrialRunner.builder()
                        .setModel(model)
                        .setDataset(data)
                        .optWarmupSteps(options.warmupSteps())
                        .optMeasuredSteps(options.measuredSteps())
                        .optDeviceMemoryProbe(new GpuMemoryProbe());
        options.trainingConfig().ifPresent(runnerBuilder::optTrainingConfig);
        try (DjlTrialRunner runner = runnerBuilder.build()) {
            Device device = runner.device();
            if (options.startBatchSize() > runner.datasetSize()) {
                throw new IllegalArgumentException(
                        "the start batch size "
                                + options.startBatchSize()
                                + " is above the dataset's "
                                + runner.datasetSize()
                                + " samples; lower optStartBatchSize or give more data");
            }
            MemoryBudget budget =
                    options.memoryBudgetBytes()
                            .map(MemoryBudget::ofBytes)
                            .orElseGet(() -> MemoryBudget.of(hardware, device, options.memoryFraction()));
            LOG.info("Tuning '{}' on {}: {}", model.getName(), device, hardware.describe().replace('\n', ';'));
            LOG.info("Memory budget: {}", budget.basis());
            warnIfTheCpuIsBusy(hardware, device);
            BatchSizeSearch.Builder search =
                    BatchSizeSearch.builder()
                            .optGoal(options.goal())
                            .optMemoryBudgetBytes(budget.bytes())
                            .optSaturationThreshold(options.saturationThreshold())
                            .optStartBatchSize(options.startBatchSize())
                            .optDatasetSize(runner.datasetSize())
                            .optListener(options.listener());
            options.maxBatchSize().ifPresent(search::optMaxBatchSize);
            TuningResult result = search.build().run(runner::run);
            TuningContext context =
                    new TuningContext(
                            model.getName(),
                            device.toString(),
                            hardware,
                            budget.basis(),
                            options.warmupSteps(),
                            options.measuredSteps());
            TuningResult tuned = result.withContext(context, Duration.ofNanos(System.nanoTime() - started));
            LOG.info("Tuning done:\n{}", tuned);
            TuningMetrics.global().record(tuned);
            options.reportDirectory().ifPresent(directory -> writeReport(tuned, directory));
            return tuned;
        }
    }

    /**
     * On a CPU shared with other work, a step can take ten times longer from one trial to the
     * next (seen on 2 cores at load 4: 14 samples/s where 2,300 were measured alone).
     */
    private static void warnIfTheCpuIsBusy(HardwareSnapshot hardware, Device device) {
        double load = HardwareProbe.loadAverage();
        if (!device.isGpu() && hardware.logicalCores() > 0 && load > hardware.logicalCores()) {
            LOG.warn(
                    "Other work is using the CPU (load average {} on {} cores): trial timings will be"
                            + " noisy and the choice unreliable. Tune on an idle machine, or give"
                            + " training fewer threads (-Dai.djl.pytorch.num_threads=1).",
                    String.format(java.util.Locale.ROOT, "%.1f", load),
                    hardware.logicalCores());
        }
    }

    private static void writeReport(TuningResult result, Path directory) {
        try {
            ReportFiles files = ReportWriter.write(result, directory);
            LOG.info("Report written: {}", files.all());
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "tuning chose batch size "
                            + result.batchSize()
                            + " but its report could not be written: "
                            + e.getMessage(),
                    e);
        }
    }
}
