package dev.autobatch.autotune.report;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.autobatch.autotune.TuningContext;
import dev.autobatch.autotune.TuningResult;
import dev.autobatch.autotune.advice.AccumulationPlan;
import dev.autobatch.autotune.advice.LearningRateAdvice;
import dev.autobatch.autotune.advice.NoiseScale;
import dev.autobatch.autotune.probe.GpuInfo;
import dev.autobatch.autotune.probe.HardwareSnapshot;
import dev.autobatch.autotune.search.SearchSettings;
import dev.autobatch.core.Trial;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Converts a {@link TuningResult} to and from {@code report.json}, schema {@value #SCHEMA}.
 *
 * <p>The schema is documented field by field in {@code report-schema.md} beside this class (in the
 * jar, {@code dev/autobatch/autotune/report/report-schema.md}). In short: an object with {@code
 * schema}, {@code model}, {@code device}, {@code hardware}, {@code budget} ({@code bytes}, {@code
 * basis}), {@code configuration}, {@code trials} (every component of every trial, in the order they
 * ran), {@code choice} ({@code batchSize}, {@code stopReason} and both in words), {@code
 * noiseScale}, {@code accumulation}, {@code learningRate}, {@code elapsedSeconds} and {@code source} ({@code MEASURED}, or {@code
 * CACHED} for a result read from the cache). A number that was not measured is {@code null}, never {@code -1} or {@code
 * NaN}; JSON has no {@code NaN}.
 *
 * <p>{@link #fromJson} checks a report as any input: every whole number is one exactly and within
 * its range, every text the result needs is present, and the chosen batch size is at least 1 and
 * one a trial measured; anything else is refused with a message naming the field. It gives back
 * exactly the result {@link #toJson} was given ({@code equals} holds) with one exception: every
 * unknown value reads back as the records' own "unknown" ({@code -1}, {@code NaN}), so a negative
 * count other than {@code -1}, or an infinite throughput, reads back as {@code -1} or {@code NaN}.
 *
 * <p>Fields added to the schema after its first version ({@code noiseScale}, {@code accumulation},
 * {@code learningRate}, {@code configuration.referenceBatchSize}, {@code targetBatchSize}, {@code
 * devices}, {@code trials[].gradientNormSquaredStdDev}, {@code accumulationSteps}, {@code
 * stepSecondsIqr}, {@code measuredSteps}, {@code hardware.containerUsedBytes}, {@code source}) may be missing
 * from older reports; they read back as the defaults of {@link TuningResult}'s shorter
 * constructor, {@link Trial#builder} and {@link dev.autobatch.autotune.probe.HardwareSnapshot}
 * (a trial without them has no recorded spread of its step times; a result without a source was
 * measured).
 */
public final class ReportJson {

    /** The schema this class writes and reads. A reader of another schema refuses the file. */
    public static final String SCHEMA = "autobatch-report/1";

    private static final Gson GSON = new GsonBuilder()
            .setPrettyPrinting()
            .serializeNulls()
            .disableHtmlEscaping()
            .create();

    private ReportJson() {}

    /**
     * Writes a result as {@code report.json} text.
     *
     * @param result the result
     * @return pretty-printed JSON, ending in a newline
     */
    public static String toJson(TuningResult result) {
        Objects.requireNonNull(result, "result");
        TuningContext context = result.context();
        SearchSettings settings = result.settings();

        JsonObject budget = new JsonObject();
        budget.addProperty("bytes", knownOrNull(settings.memoryBudgetBytes()));
        budget.addProperty("basis", context.budgetBasis());

        JsonObject configuration = new JsonObject();
        configuration.addProperty("goal", settings.goal().name());
        configuration.addProperty("saturationThreshold", settings.saturationThreshold());
        configuration.addProperty("startBatchSize", settings.startBatchSize());
        configuration.addProperty("maxBatchSize", settings.maxBatchSize());
        configuration.addProperty("datasetSize", knownOrNull(settings.datasetSize()));
        configuration.addProperty("warmupSteps", context.warmupSteps());
        configuration.addProperty("measuredSteps", context.measuredSteps());
        configuration.addProperty("referenceBatchSize", settings.referenceBatchSize());
        configuration.addProperty(
                "targetBatchSize", settings.targetBatchSize() > 0 ? settings.targetBatchSize() : null);
        configuration.addProperty("devices", settings.devices());
        configuration.addProperty("timeBudgetSeconds", settings.timeBudget().toMillis() / 1000.0);

        JsonArray trials = new JsonArray();
        for (int i = 0; i < result.trials().size(); i++) {
            JsonObject trial = trial(result.trials().get(i));
            trial.addProperty(
                    "verdict",
                    Wording.verdict(result.trials().get(i), result.verdicts().get(i)));
            trials.add(trial);
        }

        JsonObject choice = new JsonObject();
        choice.addProperty("batchSize", result.batchSize());
        choice.addProperty("stopReason", result.stopReason().name());
        choice.addProperty("stoppedBecause", Wording.stopReason(result));
        choice.addProperty("explanation", result.explanation().isEmpty() ? null : result.explanation());

        JsonObject root = new JsonObject();
        root.addProperty("schema", SCHEMA);
        root.addProperty("model", context.modelName());
        root.addProperty("device", context.device());
        root.add("hardware", hardware(context.hardware()));
        root.add("budget", budget);
        root.add("configuration", configuration);
        root.add("trials", trials);
        root.add("choice", choice);
        root.add("noiseScale", noiseScale(result.noiseScale()));
        root.add("accumulation", accumulation(result.accumulation()));
        root.add("learningRate", learningRate(result.learningRate()));
        root.addProperty("elapsedSeconds", seconds(result.elapsed()));
        root.addProperty("source", result.source().name());
        return GSON.toJson(root) + "\n";
    }

    /**
     * Reads a result from {@code report.json} text.
     *
     * @param json the text
     * @return the result
     * @throws IllegalArgumentException if the text is not a report of schema {@value #SCHEMA}, or
     *     holds a value out of its range or a {@code null} where the result needs a value, with
     *     a message naming what is wrong
     */
    public static TuningResult fromJson(String json) {
        return ReportJsonReader.fromJson(Objects.requireNonNull(json, "json"));
    }

    /**
     * Reads a {@code report.json} file.
     *
     * @param file the file
     * @return the result it describes
     * @throws IOException if the file cannot be read, or is not a report of schema {@value
     *     #SCHEMA}; the message names the file
     */
    public static TuningResult read(Path file) throws IOException {
        String json = Files.readString(file, StandardCharsets.UTF_8);
        try {
            return fromJson(json);
        } catch (IllegalArgumentException e) {
            throw new IOException("Cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static JsonObject hardware(HardwareSnapshot hardware) {
        JsonArray gpus = new JsonArray();
        for (GpuInfo gpu : hardware.gpus()) {
            JsonObject object = new JsonObject();
            object.addProperty("index", gpu.index());
            object.addProperty("name", gpu.name());
            object.addProperty("totalBytes", knownOrNull(gpu.totalBytes()));
            object.addProperty("freeBytes", knownOrNull(gpu.freeBytes()));
            object.addProperty("source", gpu.source());
            gpus.add(object);
        }
        JsonObject object = new JsonObject();
        object.addProperty("cpuModel", hardware.cpuModel());
        object.addProperty("physicalCores", knownOrNull(hardware.physicalCores()));
        object.addProperty("logicalCores", knownOrNull(hardware.logicalCores()));
        object.addProperty("totalMemoryBytes", knownOrNull(hardware.totalMemoryBytes()));
        object.addProperty("availableMemoryBytes", knownOrNull(hardware.availableMemoryBytes()));
        object.addProperty("containerLimitBytes", knownOrNull(hardware.containerLimitBytes()));
        object.addProperty("jvmMaxHeapBytes", knownOrNull(hardware.jvmMaxHeapBytes()));
        object.add("gpus", gpus);
        object.addProperty("engine", hardware.engine());
        object.addProperty("engineThreads", knownOrNull(hardware.engineThreads()));
        object.addProperty("engineInteropThreads", knownOrNull(hardware.engineInteropThreads()));
        object.addProperty("containerUsedBytes", knownOrNull(hardware.containerUsedBytes()));
        return object;
    }

    private static JsonObject trial(Trial trial) {
        JsonObject object = new JsonObject();
        object.addProperty("batchSize", trial.batchSize());
        object.addProperty("outcome", Wording.outcome(trial));
        object.addProperty("samplesPerSecond", finiteOrNull(trial.samplesPerSecond()));
        object.addProperty("medianStepSeconds", finiteOrNull(trial.medianStepSeconds()));
        object.addProperty("peakMemoryBytes", knownOrNull(trial.peakMemoryBytes()));
        object.addProperty("baselineMemoryBytes", knownOrNull(trial.baselineMemoryBytes()));
        object.addProperty("memoryMeasurement", trial.memoryMeasurement().name());
        object.addProperty("gradientNormSquared", finiteOrNull(trial.gradientNormSquared()));
        object.addProperty("gradientNormSquaredStdDev", finiteOrNull(trial.gradientNormSquaredStdDev()));
        object.addProperty("accumulationSteps", trial.accumulationSteps());
        object.addProperty("stepSecondsIqr", finiteOrNull(trial.stepSecondsIqr()));
        // 0 is the record's "not known" here: no trial is measured over zero steps.
        object.addProperty("measuredSteps", trial.measuredSteps() > 0 ? trial.measuredSteps() : null);
        object.addProperty("failure", trial.failure());
        return object;
    }

    private static JsonObject noiseScale(NoiseScale noise) {
        JsonObject object = new JsonObject();
        object.addProperty("bSimple", finiteOrNull(noise.bSimple()));
        object.addProperty("low", finiteOrNull(noise.low()));
        object.addProperty("high", finiteOrNull(noise.high()));
        object.addProperty("gradientSquared", finiteOrNull(noise.gradientSquared()));
        object.addProperty("traceCovariance", finiteOrNull(noise.traceCovariance()));
        object.addProperty("batchSizes", noise.batchSizes());
        object.addProperty("description", noise.describe());
        return object;
    }

    private static JsonObject accumulation(AccumulationPlan plan) {
        JsonObject object = new JsonObject();
        object.addProperty("microBatchSize", plan.microBatchSize());
        object.addProperty("accumulationSteps", plan.accumulationSteps());
        object.addProperty("devices", plan.devices());
        object.addProperty("globalBatchSize", plan.globalBatchSize());
        object.addProperty("targetBatchSize", plan.targetBatchSize() > 0 ? plan.targetBatchSize() : null);
        object.addProperty("description", plan.describe());
        return object;
    }

    private static JsonObject learningRate(LearningRateAdvice advice) {
        JsonObject object = new JsonObject();
        object.addProperty("rule", advice.rule().name());
        object.addProperty("optimizer", advice.optimizer());
        object.addProperty("referenceBatchSize", advice.referenceBatchSize());
        object.addProperty("referenceLearningRate", finiteOrNull(advice.referenceLearningRate()));
        object.addProperty("referenceSource", advice.referenceSource());
        object.addProperty("batchSize", advice.batchSize());
        object.addProperty("learningRate", finiteOrNull(advice.learningRate()));
        object.addProperty("warmupEpochs", advice.warmupEpochs());
        object.addProperty("advice", advice.describe());
        return object;
    }

    private static Long knownOrNull(long value) {
        return value >= 0 ? value : null;
    }

    private static Double finiteOrNull(double value) {
        return Double.isFinite(value) ? value : null;
    }

    /** Seconds with nanosecond precision and no exponent, such as {@code 12.5}. */
    private static BigDecimal seconds(Duration duration) {
        BigDecimal seconds = BigDecimal.valueOf(duration.getSeconds()).add(BigDecimal.valueOf(duration.getNano(), 9));
        return new BigDecimal(seconds.stripTrailingZeros().toPlainString());
    }
}
