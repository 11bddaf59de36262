package dev.autobatch.autotune.report;

import dev.autobatch.autotune.TuningResult;
import dev.autobatch.autotune.search.SearchSettings;
import dev.autobatch.autotune.search.StopReason;
import dev.autobatch.core.Trial;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToDoubleFunction;

/**
 * Publishes tuning results as Micrometer meters. Bind it to one or more registries, then {@link
 * #record record} each {@link TuningResult}; {@link #global()} is the instance {@code
 * AutoBatch.tune} binds to {@link Metrics#globalRegistry} and records into.
 *
 * <pre>{@code
 * TuningMetrics metrics = new TuningMetrics();
 * metrics.bindTo(registry);
 * metrics.record(result);
 * }</pre>
 *
 * <p>The meters, by their Micrometer names (Prometheus names in brackets):
 *
 * <table>
 *   <caption>Meters</caption>
 *   <tr><th>name</th><th>type</th><th>tags</th><th>value</th></tr>
 *   <tr><td>{@code autobatch.batch.size} ({@code autobatch_batch_size})</td><td>gauge</td>
 *       <td>{@code model}, {@code device}, {@code goal}</td>
 *       <td>the chosen batch size, in samples; a count, so it has no base unit</td></tr>
 *   <tr><td>{@code autobatch.trial.throughput}
 *       ({@code autobatch_trial_throughput_samples_per_second})</td><td>gauge</td>
 *       <td>{@code batch.size}</td>
 *       <td>a measured trial's samples per second; base unit {@value #SAMPLES_PER_SECOND}</td></tr>
 *   <tr><td>{@code autobatch.trial.throughput.spread}
 *       ({@code autobatch_trial_throughput_spread_ratio})</td><td>gauge</td><td>{@code batch.size}</td>
 *       <td>the relative interquartile range of a measured trial's step times ({@link
 *       Trial#relativeSpread()}: 0.04 means the middle half of the steps spanned 4% of the median
 *       step time, the throughput ±2%); base unit {@value #RATIO}; only for trials that recorded
 *       their spread</td></tr>
 *   <tr><td>{@code autobatch.trial.memory.peak} ({@code autobatch_trial_memory_peak_bytes})</td>
 *       <td>gauge</td><td>{@code batch.size}</td><td>a trial's peak memory, bytes</td></tr>
 *   <tr><td>{@code autobatch.memory.budget} ({@code autobatch_memory_budget_bytes})</td>
 *       <td>gauge</td><td></td><td>the memory budget, bytes</td></tr>
 *   <tr><td>{@code autobatch.tuning.duration} ({@code autobatch_tuning_duration_seconds})</td>
 *       <td>function timer</td><td></td><td>how many tunings ran and their total wall time</td></tr>
 *   <tr><td>{@code autobatch.trials} ({@code autobatch_trials_total})</td><td>function counter</td>
 *       <td>{@code outcome}: {@code ok}, {@code out_of_memory}, {@code failed}, {@code
 *       skipped_over_budget}</td>
 *       <td>trials by outcome; {@code skipped_over_budget} counts the one trial a tuning did not
 *       run because its predicted peak was above the budget (not one that ran and came out above
 *       it)</td></tr>
 * </table>
 *
 * <p>The gauges describe the latest recorded tuning. Recording another result updates them in
 * place and removes what the new result no longer measures: the chosen-size gauge of other tags,
 * and the per-trial gauges of batch sizes the new result did not measure (a stale batch size would
 * otherwise keep reporting a throughput nobody measured in this tuning). The counter and the timer
 * accumulate over every tuning recorded in the process, as counters do. Only what was measured is
 * registered: no throughput gauge for a trial that ran out of memory, no spread gauge for a trial
 * that recorded no spread of its step times, no memory gauge for an unknown peak, no budget gauge
 * without a budget.
 *
 * <p>Gauges hold this binder strongly, so their values never vanish after garbage collection.
 * Bind one instance per registry and reuse it across tunings: a second instance bound to the same
 * registry would find the first one's meters already registered under the same names. This class
 * is thread-safe.
 */
public final class TuningMetrics implements MeterBinder {

    /** The chosen batch size gauge. */
    public static final String BATCH_SIZE = "autobatch.batch.size";
    /** The per-trial throughput gauge. */
    public static final String TRIAL_THROUGHPUT = "autobatch.trial.throughput";
    /** The per-trial gauge of the spread of the step times behind the throughput. */
    public static final String TRIAL_THROUGHPUT_SPREAD = "autobatch.trial.throughput.spread";
    /** The per-trial peak memory gauge. */
    public static final String TRIAL_MEMORY_PEAK = "autobatch.trial.memory.peak";
    /** The memory budget gauge. */
    public static final String MEMORY_BUDGET = "autobatch.memory.budget";
    /** The tuning duration timer. */
    public static final String TUNING_DURATION = "autobatch.tuning.duration";
    /** The trial counter, tagged by outcome. */
    public static final String TRIALS = "autobatch.trials";
    /**
     * The base unit of throughput. Micrometer has no constant for a rate of samples; dotted words
     * follow its naming convention, and Prometheus renders them as the conventional {@code
     * _samples_per_second} suffix.
     */
    public static final String SAMPLES_PER_SECOND = "samples.per.second";
    /**
     * The base unit of a dimensionless fraction. Micrometer has no constant for it; Prometheus
     * names such a gauge with the conventional {@code _ratio} suffix.
     */
    public static final String RATIO = "ratio";

    private static final List<String> OUTCOMES =
            List.of(Wording.OK, Wording.OUT_OF_MEMORY, Wording.FAILED, Wording.SKIPPED_OVER_BUDGET);

    private static final TuningMetrics GLOBAL = new TuningMetrics();

    /** The gauges registered with each bound registry; guarded by {@code this}. */
    private final Map<MeterRegistry, Map<GaugeKey, Meter>> gauges = new IdentityHashMap<>();

    private final Map<String, AtomicLong> trialsByOutcome = new LinkedHashMap<>();
    private final AtomicLong tunings = new AtomicLong();
    private final AtomicLong tuningNanos = new AtomicLong();
    private volatile Latest latest;

    /** Creates a binder that has recorded nothing; bind it with {@link #bindTo}. */
    public TuningMetrics() {
        for (String outcome : OUTCOMES) {
            trialsByOutcome.put(outcome, new AtomicLong());
        }
    }

    /**
     * Returns the process-wide instance. Like any binder it binds itself to nothing: {@code
     * AutoBatch.tune} binds it to {@link Metrics#globalRegistry} when it publishes a result (its
     * documented default), so registries added to the global registry (such as the one a {@link
     * PrometheusEndpoint#start(int)} serves) see its meters; bind it elsewhere yourself.
     *
     * @return the global instance
     */
    public static TuningMetrics global() {
        return GLOBAL;
    }

    /**
     * Registers the meters with a registry. Binding after a result was recorded registers that
     * result's values; binding the same registry twice has no further effect.
     *
     * @param registry the registry
     */
    @Override
    public synchronized void bindTo(MeterRegistry registry) {
        Objects.requireNonNull(registry, "registry");
        if (gauges.putIfAbsent(registry, new HashMap<>()) != null) {
            return;
        }
        for (String outcome : OUTCOMES) {
            AtomicLong count = trialsByOutcome.get(outcome);
            // Function meters keep their object weakly; a function that holds the object strongly
            // keeps it alive as long as the meter is registered.
            FunctionCounter.builder(TRIALS, count, ignored -> count.get())
                    .tag("outcome", outcome)
                    .description("Batch-size tuning trials by outcome, over every tuning in this process")
                    .baseUnit("trials")
                    .register(registry);
        }
        FunctionTimer.builder(
                        TUNING_DURATION,
                        this,
                        ignored -> tunings.get(),
                        ignored -> tuningNanos.get(),
                        TimeUnit.NANOSECONDS)
                .description("Wall time of each batch-size tuning, probing included")
                .register(registry);
        syncGauges(registry);
    }

    /**
     * Whether the search stopped on the budget without running the trial it predicted over it. A
     * stop on the budget is also made by a trial that ran and whose peak came out above it; that
     * trial is counted by its outcome, and nothing was skipped.
     */
    private static boolean skippedATrialOverTheBudget(TuningResult result) {
        long budget = result.settings().memoryBudgetBytes();
        return result.stopReason() == StopReason.MEMORY_BUDGET
                && result.trials().stream().noneMatch(trial -> trial.peakMemoryBytes() > budget);
    }

    /**
     * Publishes a result to every bound registry: updates the gauges to it, counts its trials and
     * times it.
     *
     * @param result the result
     */
    public synchronized void record(TuningResult result) {
        Objects.requireNonNull(result, "result");
        for (Trial trial : result.trials()) {
            trialsByOutcome.get(Wording.outcome(trial)).incrementAndGet();
        }
        if (skippedATrialOverTheBudget(result)) {
            trialsByOutcome.get(Wording.SKIPPED_OVER_BUDGET).incrementAndGet();
        }
        tunings.incrementAndGet();
        tuningNanos.addAndGet(result.elapsed().toNanos());
        latest = new Latest(result);
        for (MeterRegistry registry : gauges.keySet()) {
            syncGauges(registry);
        }
    }

    /** Registers the gauges the latest result measures and removes those it no longer does. */
    private void syncGauges(MeterRegistry registry) {
        Map<GaugeKey, Gauge.Builder<TuningMetrics>> wanted = wantedGauges();
        Map<GaugeKey, Meter> registered = gauges.get(registry);
        for (Iterator<Map.Entry<GaugeKey, Meter>> it = registered.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<GaugeKey, Meter> entry = it.next();
            if (!wanted.containsKey(entry.getKey())) {
                registry.remove(entry.getValue());
                it.remove();
            }
        }
        // Registering only what is new: Micrometer warns when a gauge is registered twice.
        wanted.forEach((key, builder) -> registered.computeIfAbsent(key, k -> builder.register(registry)));
    }

    private Map<GaugeKey, Gauge.Builder<TuningMetrics>> wantedGauges() {
        Map<GaugeKey, Gauge.Builder<TuningMetrics>> wanted = new LinkedHashMap<>();
        Latest now = latest;
        if (now == null) {
            return wanted;
        }
        want(
                wanted,
                BATCH_SIZE,
                now.chosenTags,
                values -> values.batchSize,
                "The batch size the latest tuning chose",
                null);
        if (now.budgetBytes >= 0) {
            want(
                    wanted,
                    MEMORY_BUDGET,
                    Tags.empty(),
                    values -> values.budgetBytes,
                    "The memory budget of the latest tuning",
                    BaseUnits.BYTES);
        }
        for (Map.Entry<Integer, Trial> entry : now.trials.entrySet()) {
            int batchSize = entry.getKey();
            Trial trial = entry.getValue();
            Tags tags = Tags.of("batch.size", Integer.toString(batchSize));
            if (trial.ok()) {
                want(
                        wanted,
                        TRIAL_THROUGHPUT,
                        tags,
                        values -> values.throughput(batchSize),
                        "Training throughput the latest tuning measured at this batch size",
                        SAMPLES_PER_SECOND);
            }
            if (Double.isFinite(trial.relativeSpread())) {
                want(
                        wanted,
                        TRIAL_THROUGHPUT_SPREAD,
                        tags,
                        values -> values.spread(batchSize),
                        "Relative interquartile range of the trial's step times",
                        RATIO);
            }
            if (trial.peakMemoryBytes() >= 0) {
                want(
                        wanted,
                        TRIAL_MEMORY_PEAK,
                        tags,
                        values -> values.peakBytes(batchSize),
                        "Peak memory the latest tuning measured at this batch size",
                        BaseUnits.BYTES);
            }
        }
        return wanted;
    }

    private void want(
            Map<GaugeKey, Gauge.Builder<TuningMetrics>> wanted,
            String name,
            Tags tags,
            ToDoubleFunction<Latest> value,
            String description,
            String baseUnit) {
        wanted.put(
                new GaugeKey(name, tags),
                Gauge.builder(name, this, metrics -> metrics.read(value))
                        .tags(tags)
                        .description(description)
                        .baseUnit(baseUnit)
                        .strongReference(true));
    }

    private double read(ToDoubleFunction<Latest> value) {
        Latest now = latest;
        return now == null ? Double.NaN : value.applyAsDouble(now);
    }

    /** A gauge's name and tags. */
    private record GaugeKey(String name, Tags tags) {}

    /** The values the gauges read, taken from one result. */
    private static final class Latest {

        final double batchSize;
        final long budgetBytes;
        final Tags chosenTags;
        /** The last trial of each batch size, in the order the sizes first ran. */
        final Map<Integer, Trial> trials = new LinkedHashMap<>();

        Latest(TuningResult result) {
            SearchSettings settings = result.settings();
            batchSize = result.batchSize();
            budgetBytes = result.memoryBudgetBytes();
            chosenTags = Tags.of(
                    "model", result.context().modelName(),
                    "device", result.context().device(),
                    "goal", settings.goal().name().toLowerCase(Locale.ROOT));
            for (Trial trial : result.trials()) {
                trials.put(trial.batchSize(), trial);
            }
        }

        double throughput(int batchSize) {
            Trial trial = trials.get(batchSize);
            return trial != null && trial.ok() ? trial.samplesPerSecond() : Double.NaN;
        }

        double spread(int batchSize) {
            Trial trial = trials.get(batchSize);
            return trial != null ? trial.relativeSpread() : Double.NaN;
        }

        double peakBytes(int batchSize) {
            Trial trial = trials.get(batchSize);
            return trial != null && trial.peakMemoryBytes() >= 0 ? trial.peakMemoryBytes() : Double.NaN;
        }
    }
}
