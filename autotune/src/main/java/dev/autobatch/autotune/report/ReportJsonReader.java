package dev.autobatch.autotune.report;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.autobatch.autotune.TuningContext;
import dev.autobatch.autotune.TuningResult;
import dev.autobatch.autotune.advice.AccumulationPlan;
import dev.autobatch.autotune.advice.LearningRateAdvice;
import dev.autobatch.autotune.advice.NoiseScale;
import dev.autobatch.autotune.probe.GpuInfo;
import dev.autobatch.autotune.probe.HardwareSnapshot;
import dev.autobatch.autotune.search.Goal;
import dev.autobatch.autotune.search.SearchSettings;
import dev.autobatch.autotune.search.StopReason;
import dev.autobatch.autotune.search.Verdict;
import dev.autobatch.core.MemoryMeasurement;
import dev.autobatch.core.Trial;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads {@code report.json} back into a {@link TuningResult} ({@link ReportJson#fromJson}),
 * checking it as any input: a report comes back from a cache file or a disk that anything may
 * have written, and a value out of range must be refused here rather than trained with later.
 * Every whole number must be one exactly and within its range (a batch size of {@code 1e30} is no
 * batch size, not {@code Integer.MAX_VALUE} or its low bits); every text the result needs is
 * present and not {@code null}; the chosen batch size is at least 1 and one a trial measured.
 */
final class ReportJsonReader {

    private static final long INT_MAX = Integer.MAX_VALUE;

    private ReportJsonReader() {}

    /** See {@link ReportJson#fromJson}. */
    static TuningResult fromJson(String json) {
        JsonElement parsed;
        try {
            parsed = JsonParser.parseString(json);
        } catch (JsonParseException e) {
            throw new IllegalArgumentException("not valid JSON: " + e.getMessage(), e);
        }
        if (!parsed.isJsonObject()) {
            throw new IllegalArgumentException("not an AutoBatch report: the JSON is not an object");
        }
        JsonObject root = parsed.getAsJsonObject();
        checkSchema(root);
        try {
            return result(root);
        } catch (IllegalStateException
                | UnsupportedOperationException
                | NumberFormatException
                | ArithmeticException
                | NullPointerException e) {
            // Gson's getAsX throw the first three when a value has the wrong JSON type; the records
            // throw the last for what they require.
            throw new IllegalArgumentException("malformed " + ReportJson.SCHEMA + " report: " + e.getMessage(), e);
        }
    }

    private static TuningResult result(JsonObject root) {
        JsonObject budget = object(root, "budget");
        JsonObject configuration = object(root, "configuration");
        JsonObject choice = object(root, "choice");
        List<Trial> trials = new ArrayList<>();
        List<Verdict> verdicts = new ArrayList<>();
        for (JsonElement trial : array(root, "trials")) {
            trials.add(trial(trial.getAsJsonObject()));
            verdicts.add(Wording.parseVerdict(text(trial.getAsJsonObject(), "verdict")));
        }
        int startBatchSize = (int) whole(configuration, "startBatchSize", 1, INT_MAX);
        SearchSettings settings = new SearchSettings(
                constant(Goal.class, configuration, "goal"),
                wholeOrUnknown(budget, "bytes", 1, Long.MAX_VALUE),
                fraction(configuration, "saturationThreshold"),
                startBatchSize,
                (int) whole(configuration, "maxBatchSize", startBatchSize, INT_MAX),
                wholeOrUnknown(configuration, "datasetSize", 0, Long.MAX_VALUE),
                (int) optionalWhole(
                        configuration,
                        "referenceBatchSize",
                        1,
                        INT_MAX,
                        LearningRateAdvice.DEFAULT_REFERENCE_BATCH_SIZE),
                (int) optionalWhole(configuration, "targetBatchSize", 0, INT_MAX, 0),
                (int) optionalWhole(configuration, "devices", 1, INT_MAX, 1),
                configuration.has("timeBudgetSeconds")
                        ? duration(configuration, "timeBudgetSeconds")
                        : SearchSettings.DEFAULT_TIME_BUDGET);
        TuningContext context = new TuningContext(
                text(root, "model"),
                text(root, "device"),
                hardware(object(root, "hardware")),
                text(budget, "basis"),
                (int) whole(configuration, "warmupSteps", 0, INT_MAX),
                (int) whole(configuration, "measuredSteps", 0, INT_MAX));
        int batchSize = (int) whole(choice, "batchSize", 1, INT_MAX);
        if (trials.stream().noneMatch(t -> t.ok() && t.batchSize() == batchSize)) {
            throw new IllegalArgumentException("the chosen batch size " + batchSize
                    + " is none that a trial measured, so nothing backs the choice");
        }
        return new TuningResult(
                batchSize,
                constant(StopReason.class, choice, "stopReason"),
                trials,
                settings,
                duration(root, "elapsedSeconds"),
                context,
                verdicts,
                root.has("noiseScale") ? noiseScale(object(root, "noiseScale")) : NoiseScale.estimate(trials),
                root.has("accumulation")
                        ? accumulation(object(root, "accumulation"))
                        : AccumulationPlan.none(batchSize, settings.devices()),
                root.has("learningRate")
                        ? learningRate(object(root, "learningRate"))
                        : LearningRateAdvice.none(batchSize),
                choice.has("explanation") && !choice.get("explanation").isJsonNull() ? text(choice, "explanation") : "",
                root.has("source")
                        ? constant(TuningResult.Source.class, root, "source")
                        : TuningResult.Source.MEASURED);
    }

    private static void checkSchema(JsonObject root) {
        JsonElement schema = root.get("schema");
        String found = schema != null && schema.isJsonPrimitive() ? schema.getAsString() : null;
        if (ReportJson.SCHEMA.equals(found)) {
            return;
        }
        if (found != null && found.startsWith("autobatch-report/")) {
            throw new IllegalArgumentException("report schema " + found + " is not " + ReportJson.SCHEMA
                    + ", the one this version of AutoBatch reads; read it with the AutoBatch that wrote it");
        }
        throw new IllegalArgumentException(
                "not an AutoBatch report: expected \"schema\": \"" + ReportJson.SCHEMA + "\", found " + schema);
    }

    private static HardwareSnapshot hardware(JsonObject object) {
        List<GpuInfo> gpus = new ArrayList<>();
        for (JsonElement element : array(object, "gpus")) {
            JsonObject gpu = element.getAsJsonObject();
            gpus.add(new GpuInfo(
                    (int) whole(gpu, "index", 0, INT_MAX),
                    text(gpu, "name"),
                    wholeOrUnknown(gpu, "totalBytes", 0, Long.MAX_VALUE),
                    wholeOrUnknown(gpu, "freeBytes", 0, Long.MAX_VALUE),
                    text(gpu, "source")));
        }
        return new HardwareSnapshot(
                text(object, "cpuModel"),
                (int) wholeOrUnknown(object, "physicalCores", 0, INT_MAX),
                (int) wholeOrUnknown(object, "logicalCores", 0, INT_MAX),
                wholeOrUnknown(object, "totalMemoryBytes", 0, Long.MAX_VALUE),
                wholeOrUnknown(object, "availableMemoryBytes", 0, Long.MAX_VALUE),
                wholeOrUnknown(object, "containerLimitBytes", 0, Long.MAX_VALUE),
                wholeOrUnknown(object, "jvmMaxHeapBytes", 0, Long.MAX_VALUE),
                gpus,
                text(object, "engine"),
                (int) wholeOrUnknown(object, "engineThreads", 0, INT_MAX),
                (int) wholeOrUnknown(object, "engineInteropThreads", 0, INT_MAX),
                optionalWhole(object, "containerUsedBytes", 0, Long.MAX_VALUE, -1));
    }

    private static Trial trial(JsonObject object) {
        Trial.Outcome outcome = Wording.parseOutcome(text(object, "outcome"));
        Trial.Builder trial = Trial.builder((int) whole(object, "batchSize", 1, INT_MAX))
                .optSamplesPerSecond(doubleOrNaN(object, "samplesPerSecond"))
                .optMedianStepSeconds(doubleOrNaN(object, "medianStepSeconds"))
                .optPeakMemoryBytes(wholeOrUnknown(object, "peakMemoryBytes", 0, Long.MAX_VALUE))
                .optBaselineMemoryBytes(wholeOrUnknown(object, "baselineMemoryBytes", 0, Long.MAX_VALUE))
                .optMemoryMeasurement(constant(MemoryMeasurement.class, object, "memoryMeasurement"))
                .optGradientNorm(
                        doubleOrNaN(object, "gradientNormSquared"),
                        object.has("gradientNormSquaredStdDev")
                                ? doubleOrNaN(object, "gradientNormSquaredStdDev")
                                : Double.NaN)
                .optAccumulationSteps((int) optionalWhole(object, "accumulationSteps", 1, INT_MAX, 1))
                .optStepTimeSpread(
                        object.has("stepSecondsIqr") ? doubleOrNaN(object, "stepSecondsIqr") : Double.NaN,
                        (int) optionalWhole(object, "measuredSteps", 0, INT_MAX, 0));
        if (outcome == Trial.Outcome.OUT_OF_MEMORY) {
            trial.optOutOfMemory();
        }
        String failure = textOrNull(object, "failure");
        if (failure != null) {
            trial.optFailure(failure);
        }
        return trial.build();
    }

    private static NoiseScale noiseScale(JsonObject object) {
        return new NoiseScale(
                doubleOrNaN(object, "bSimple"),
                doubleOrNaN(object, "low"),
                doubleOrNaN(object, "high"),
                doubleOrNaN(object, "gradientSquared"),
                doubleOrNaN(object, "traceCovariance"),
                (int) whole(object, "batchSizes", 0, INT_MAX));
    }

    private static AccumulationPlan accumulation(JsonObject object) {
        return new AccumulationPlan(
                (int) whole(object, "microBatchSize", 1, INT_MAX),
                (int) whole(object, "accumulationSteps", 1, INT_MAX),
                (int) whole(object, "devices", 1, INT_MAX),
                (int) optionalWhole(object, "targetBatchSize", 0, INT_MAX, 0));
    }

    private static LearningRateAdvice learningRate(JsonObject object) {
        return new LearningRateAdvice(
                constant(LearningRateAdvice.Rule.class, object, "rule"),
                text(object, "optimizer"),
                (int) whole(object, "referenceBatchSize", 1, INT_MAX),
                doubleOrNaN(object, "referenceLearningRate"),
                text(object, "referenceSource"),
                (int) whole(object, "batchSize", 1, INT_MAX),
                doubleOrNaN(object, "learningRate"),
                (int) whole(object, "warmupEpochs", 0, INT_MAX));
    }

    private static Duration duration(JsonObject object, String name) {
        BigDecimal seconds = number(object, name);
        // A year bounds any tuning; past it the value is no duration a tuning took.
        if (seconds.signum() < 0 || seconds.compareTo(BigDecimal.valueOf(365L * 24 * 3600)) > 0) {
            throw new IllegalArgumentException(
                    "field \"" + name + "\" must be seconds from 0 to a year, got " + seconds.toPlainString());
        }
        BigDecimal whole = new BigDecimal(seconds.toBigInteger());
        return Duration.ofSeconds(
                whole.longValueExact(),
                seconds.subtract(whole).movePointRight(9).longValue());
    }

    private static double fraction(JsonObject object, String name) {
        double value = number(object, name).doubleValue();
        if (!(value > 0 && value < 1)) {
            throw new IllegalArgumentException("field \"" + name + "\" must be in (0, 1), got " + value);
        }
        return value;
    }

    private static JsonElement member(JsonObject object, String name) {
        JsonElement element = object.get(name);
        if (element == null) {
            throw new IllegalArgumentException("missing field \"" + name + "\" in " + abbreviate(object));
        }
        return element;
    }

    private static JsonObject object(JsonObject object, String name) {
        return member(object, name).getAsJsonObject();
    }

    private static JsonArray array(JsonObject object, String name) {
        return member(object, name).getAsJsonArray();
    }

    /** A text the result needs: present and not {@code null}. */
    private static String text(JsonObject object, String name) {
        String text = textOrNull(object, name);
        if (text == null) {
            throw new IllegalArgumentException(
                    "field \"" + name + "\" must be text, not null, in " + abbreviate(object));
        }
        return text;
    }

    private static String textOrNull(JsonObject object, String name) {
        JsonElement element = member(object, name);
        return element.isJsonNull() ? null : element.getAsString();
    }

    private static <E extends Enum<E>> E constant(Class<E> type, JsonObject object, String name) {
        String value = textOrNull(object, name);
        for (E constant : type.getEnumConstants()) {
            if (constant.name().equals(value)) {
                return constant;
            }
        }
        throw new IllegalArgumentException("field \"" + name + "\" must name a " + type.getSimpleName() + ", one of "
                + List.of(type.getEnumConstants()) + ", got " + value);
    }

    private static BigDecimal number(JsonObject object, String name) {
        JsonElement element = member(object, name);
        if (element.isJsonNull()) {
            throw new IllegalArgumentException(
                    "field \"" + name + "\" must be a number, not null, in " + abbreviate(object));
        }
        return element.getAsBigDecimal();
    }

    /** A whole number in {@code [min, max]}, exactly: no rounding, no wrapping. */
    private static long whole(JsonObject object, String name, long min, long max) {
        BigDecimal value = number(object, name);
        boolean integral = value.signum() == 0 || value.stripTrailingZeros().scale() <= 0;
        if (!integral || value.compareTo(BigDecimal.valueOf(min)) < 0 || value.compareTo(BigDecimal.valueOf(max)) > 0) {
            throw new IllegalArgumentException("field \"" + name + "\" must be a whole number from " + min + " to "
                    + max + ", got " + member(object, name));
        }
        return value.longValueExact();
    }

    /** A whole number in {@code [min, max]}, or {@code -1} for {@code null}, the report's "unknown". */
    private static long wholeOrUnknown(JsonObject object, String name, long min, long max) {
        return member(object, name).isJsonNull() ? -1 : whole(object, name, min, max);
    }

    /** A field that reports written before it was added lack: {@code fallback} when absent or null. */
    private static long optionalWhole(JsonObject object, String name, long min, long max, long fallback) {
        JsonElement element = object.get(name);
        return element == null || element.isJsonNull() ? fallback : whole(object, name, min, max);
    }

    /** A measured figure, finite, or {@code NaN} for {@code null}: the writer writes no other. */
    private static double doubleOrNaN(JsonObject object, String name) {
        JsonElement element = member(object, name);
        if (element.isJsonNull()) {
            return Double.NaN;
        }
        double value = element.getAsDouble();
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException(
                    "field \"" + name + "\" must be a finite number or null, got " + element);
        }
        return value;
    }

    private static String abbreviate(JsonObject object) {
        String text = object.toString();
        return text.length() <= 120 ? text : text.substring(0, 117) + "...";
    }
}
