package dev.autobatch.autotune;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.training.TrainingConfig;
import ai.djl.training.dataset.Dataset;
import dev.autobatch.autotune.advice.LearningRateAdvice;
import dev.autobatch.autotune.budget.MemoryBudget;
import dev.autobatch.autotune.budget.MemoryBudgetException;
import dev.autobatch.autotune.cache.CacheKey;
import dev.autobatch.autotune.cache.ResultCache;
import dev.autobatch.autotune.probe.GpuMemoryProbe;
import dev.autobatch.autotune.probe.HardwareProbe;
import dev.autobatch.autotune.probe.HardwareSnapshot;
import dev.autobatch.autotune.report.Bytes;
import dev.autobatch.autotune.report.ReportFiles;
import dev.autobatch.autotune.report.ReportWriter;
import dev.autobatch.autotune.report.TuningMetrics;
import dev.autobatch.autotune.search.BatchSizeSearch;
import dev.autobatch.autotune.search.Goal;
import dev.autobatch.core.DjlTrialRunner;
import dev.autobatch.core.Trial;
import io.micrometer.core.instrument.Metrics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one-line entry point: measures a DJL model's training at growing batch sizes on this
 * machine and returns the batch size to train with.
 *
 * <pre>{@code
 * TuningResult result = AutoBatch.tune(model, trainingSet);
 * int batchSize = result.batchSize();
 * }</pre>
 *
 * <p>Beyond the batch size, the result carries the gradient noise scale, the learning rate to train
 * with and, for a target batch size, a gradient-accumulation plan; a second tuning of the same
 * model on the same machine returns the cached result at once.
 *
 * <p>The model's parameters are exactly as they were afterwards. The result is also published to
 * Micrometer's global registry: {@link TuningMetrics#global()}, bound to {@code
 * Metrics.globalRegistry} at the first result; add your backend's registry to {@code
 * Metrics.globalRegistry} to scrape the chosen size.
 */
public final class AutoBatch {

    private static final Logger LOG = LoggerFactory.getLogger(AutoBatch.class);

    private AutoBatch() {}

    /**
     * Tunes with every default: {@link Goal#DEFAULT} ({@link Goal#BALANCED}: the throughput choice
     * among the sizes statistically efficient enough, which trains fastest to a good model), 80% of the training device's available memory, a 5% saturation
     * threshold, a 60 s time budget, softmax cross-entropy and SGD.
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
     * <p>Every trial records the squared gradient norm (outside its timed span), so every result
     * carries the gradient noise scale ({@link TuningResult#noiseScale()}), which {@link
     * Goal#GOODPUT} chooses by. The result also advises the learning rate for the plan's global
     * batch size ({@link LearningRateAdvice}: the training configuration's optimizer picks the
     * rule, the reference rate is the one given, else the optimizer's own, else {@value
     * DjlTrialRunner#DEFAULT_LEARNING_RATE}) and plans a target batch size with gradient
     * accumulation ({@link AccumulationPlan}).
     *
     * <p>Results are cached (see {@link ResultCache} and {@link CacheKey}): unless {@link
     * TuneOptions#force()} or not {@link TuneOptions#cache()}, a tuning whose key (machine, engine,
     * device, model architecture, input shape and options) matches a stored one returns the stored
     * result without running a trial; the listener then hears nothing, and the metrics and report
     * are those of the stored result. A corrupt or outdated entry is ignored with a warning and
     * replaced. A cache that cannot be written is logged as a warning and does not fail the tuning.
     *
     * @param model the model, with its block set; its parameters are unchanged afterwards
     * @param data the training data, a DJL {@code RandomAccessDataset}
     * @param options the options
     * @return the result, with the machine, the device and the budget in its context
     * @throws IllegalArgumentException for a model without a block, data that cannot be
     *     re-batched or is empty, or a start size above the data's size
     * @throws MemoryBudgetException if this process (on a GPU, the device) already holds more
     *     than the memory budget before any trial, or even the start batch size needs more; no
     *     trial runs in the first case
     * @throws IllegalStateException if every trial failed for a reason other than memory (the
     *     message names the first failure) or no budget can be derived
     */
    public static TuningResult tune(Model model, Dataset data, TuneOptions options) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(options, "options");
        long started = System.nanoTime();
        HardwareSnapshot hardware = HardwareProbe.snapshot(model.getNDManager().getEngine());
        try (DjlTrialRunner runner = DjlTrialRunner.builder()
                .setModel(model)
                .setDataset(data)
                .optTrialOptions(options.trial())
                .optProgress(options.listener()::onProgress)
                .optRecordGradientNorm(true)
                .optDeviceMemoryProbe(new GpuMemoryProbe())
                .build()) {
            Device device = runner.device();
            TrainingConfig config = runner.trainingConfig();
            if (options.startBatchSize() > runner.datasetSize()) {
                throw new IllegalArgumentException("the start batch size "
                        + options.startBatchSize()
                        + " is above the dataset's "
                        + runner.datasetSize()
                        + " samples; lower optStartBatchSize or give more data");
            }
            ReferenceRate reference = ReferenceRate.of(options, config);
            ResultCache cache = options.cache() ? new ResultCache(options.cacheDirectory()) : null;
            CacheKey key = cache == null
                    ? null
                    : CacheKey.of(
                            hardware,
                            device.toString(),
                            runner.deviceCount(),
                            model.getBlock(),
                            runner.inputShapes(),
                            cachedOptions(options, config, reference, runner.datasetSize()));
            MemoryBudget budget = budget(options, hardware, device);
            if (cache != null && !options.force()) {
                ResultCache.Lookup lookup = cache.load(key);
                if (lookup.hit() && fitsTheBudget(lookup, budget)) {
                    TuningResult cached = fromCache(lookup.result());
                    LOG.info(
                            "Batch size {} for '{}' from the cache ({}); set optForce(true) to tune again:\n{}",
                            cached.batchSize(),
                            model.getName(),
                            lookup.file(),
                            cached);
                    publish(cached, options);
                    return cached;
                }
            }
            LOG.info(
                    "Tuning '{}' on {}: {}",
                    model.getName(),
                    device,
                    hardware.describe().replace('\n', ';'));
            LOG.info("Memory budget: {}", budget.basis());
            checkRoomBeforeAnyTrial(budget, hardware, device);
            warnIfTheCpuIsBusy(hardware, device);
            BatchSizeSearch search = BatchSizeSearch.builder(options)
                    .optMemoryBudgetBytes(budget.bytes())
                    .optDatasetSize(runner.datasetSize())
                    .optDevices(runner.deviceCount())
                    .optContext(new TuningContext(
                            model.getName(),
                            device.toString(),
                            hardware,
                            budget.basis(),
                            options.trial().warmupSteps(),
                            options.trial().measuredSteps()))
                    .optLearningRateAdvisor(globalBatchSize -> LearningRateAdvice.advise(
                            config.getOptimizer(),
                            options.referenceBatchSize(),
                            reference.rate(),
                            reference.source(),
                            globalBatchSize))
                    .optStartedAt(started)
                    .build();
            TuningResult tuned = search.run(runner::run);
            LOG.info("Tuning done:\n{}", tuned);
            if (cache != null) {
                store(cache, key, tuned);
            }
            publish(tuned, options);
            return tuned;
        }
    }

    /**
     * The budget of the options: a fraction of the room free to this process, or the bytes given;
     * bytes above that room give way to the default budget, with a warning, since a budget above
     * it lets the search plan trials the kernel's out-of-memory killer ends, JVM and all.
     */
    private static MemoryBudget budget(TuneOptions options, HardwareSnapshot hardware, Device device) {
        if (!options.memoryBudget().isBytes()) {
            return MemoryBudget.of(hardware, device, options.memoryBudget().fraction());
        }
        long asked = options.memoryBudget().bytes();
        MemoryBudget budget = MemoryBudget.ofBytes(asked, hardware, device);
        if (budget.isCapped(asked)) {
            LOG.warn(
                    "The memory budget given, {}, is more than the {} free to this process; tuning within {},"
                            + " the default share of it, instead ({}).",
                    Bytes.format(asked),
                    Bytes.format(budget.roomBytes()),
                    Bytes.format(budget.bytes()),
                    budget.basis());
        }
        return budget;
    }

    /**
     * A cached size whose measured peak no longer fits (another process now shares the container,
     * say) would be trained at and killed: tune again instead.
     */
    private static boolean fitsTheBudget(ResultCache.Lookup lookup, MemoryBudget budget) {
        long peak = lookup.result().chosenTrial().map(Trial::peakMemoryBytes).orElse(-1L);
        if (peak <= budget.bytes()) {
            return true;
        }
        LOG.warn(
                "Not using the cached batch size {} ({}): its trial peaked at {}, above today's memory budget of"
                        + " {} ({}). Tuning again.",
                lookup.result().batchSize(),
                lookup.file(),
                Bytes.format(peak),
                Bytes.format(budget.bytes()),
                budget.basis());
        return false;
    }

    /**
     * A trial's peak counts all this process holds (on a GPU, all the device holds): where that is
     * already above the budget, no trial can fit, and the first would only be killed or refused.
     */
    private static void checkRoomBeforeAnyTrial(MemoryBudget budget, HardwareSnapshot hardware, Device device) {
        if (device.isGpu()) {
            hardware.gpus().stream()
                    .filter(gpu -> gpu.index() == device.getDeviceId()
                            && gpu.freeBytes() >= 0
                            && gpu.totalBytes() >= gpu.freeBytes())
                    .findFirst()
                    .filter(gpu -> gpu.totalBytes() - gpu.freeBytes() >= budget.bytes())
                    .ifPresent(gpu -> {
                        throw MemoryBudgetException.beforeAnyTrial(
                                device.toString(), gpu.totalBytes() - gpu.freeBytes(), budget);
                    });
            return;
        }
        long resident = HardwareProbe.processResidentBytes();
        if (resident >= budget.bytes()) {
            throw MemoryBudgetException.beforeAnyTrial("this process", resident, budget);
        }
    }

    /**
     * The stored result, marked {@link TuningResult.Source#CACHED}. Its learning-rate advice is
     * derived, not measured: it is derived again from the cached reference so that an entry
     * stored before a change of the rules (such as the cap at {@link
     * LearningRateAdvice#MAX_FACTOR}) advises by today's rules.
     */
    private static TuningResult fromCache(TuningResult stored) {
        LearningRateAdvice advice = stored.learningRate();
        return new TuningResult(
                stored.batchSize(),
                stored.stopReason(),
                stored.trials(),
                stored.settings(),
                stored.elapsed(),
                stored.context(),
                stored.verdicts(),
                stored.noiseScale(),
                stored.accumulation(),
                advice.isAdvised()
                        ? LearningRateAdvice.advise(
                                advice.rule(),
                                advice.optimizer(),
                                advice.referenceBatchSize(),
                                advice.referenceLearningRate(),
                                advice.referenceSource(),
                                advice.batchSize())
                        : advice,
                stored.explanation(),
                TuningResult.Source.CACHED);
    }

    /**
     * The options that change a result, by name, for the cache key: the options' own ({@link
     * TuneOptions#cacheFields()}) and the facts of this run that change it too.
     */
    private static Map<String, String> cachedOptions(
            TuneOptions options, TrainingConfig config, ReferenceRate reference, long datasetSize) {
        Map<String, String> fields = new TreeMap<>(options.cacheFields());
        fields.put("datasetSize", Long.toString(datasetSize));
        fields.put("referenceLearningRate", Double.toString(reference.rate()));
        fields.put("loss", className(config.getLossFunction()));
        fields.put("optimizer", className(config.getOptimizer()));
        return fields;
    }

    private static String className(Object value) {
        return value == null ? "none" : value.getClass().getName();
    }

    private static void store(ResultCache cache, CacheKey key, TuningResult result) {
        try {
            LOG.info("Result cached in {}", cache.store(key, result));
        } catch (IOException e) {
            LOG.warn("{}", e.getMessage());
        }
    }

    private static void publish(TuningResult result, TuneOptions options) {
        // The documented default: the process-wide binder, bound (once) to the global registry.
        TuningMetrics.global().bindTo(Metrics.globalRegistry);
        TuningMetrics.global().record(result);
        options.reportDirectory().ifPresent(directory -> writeReport(result, directory));
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
