package dev.autobatch.autotune.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.autobatch.autotune.TuningResult;
import dev.autobatch.autotune.search.StopReason;
import dev.autobatch.core.Trial;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.lang.ref.WeakReference;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class TuningMetricsTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @Test
    void publishesTheChosenBatchSizeTaggedWithModelDeviceAndGoal() {
        TuningMetrics metrics = new TuningMetrics();
        metrics.bindTo(registry);
        metrics.record(ReportFixtures.h100Mlp());

        Gauge gauge = registry.get(TuningMetrics.BATCH_SIZE)
                .tag("model", "mlp-784-4096-4096-10")
                .tag("device", "gpu(0)")
                .tag("goal", "throughput")
                .gauge();
        assertEquals(8192, gauge.value());
    }

    @Test
    void publishesThroughputAndPeakMemoryOfEveryTrialThatMeasuredThem() {
        TuningMetrics metrics = new TuningMetrics();
        metrics.bindTo(registry);
        metrics.record(ReportFixtures.cpuEveryOutcome());

        assertEquals(2210.0, throughput(registry, 64).value());
        assertEquals(1_330_000_000.0, peak(registry, 64).value());
        assertEquals(
                Set.of("32", "64"),
                batchSizeTags(registry, TuningMetrics.TRIAL_THROUGHPUT),
                "only measured trials have a throughput");
        assertEquals(
                Set.of("32", "64"),
                batchSizeTags(registry, TuningMetrics.TRIAL_MEMORY_PEAK),
                "only trials with a known peak have a memory gauge");
        assertEquals(
                13_743_895_347.0,
                registry.get(TuningMetrics.MEMORY_BUDGET).gauge().value());
    }

    @Test
    void publishesTheSpreadOfEveryTrialThatRecordedIt() {
        TuningMetrics metrics = new TuningMetrics();
        metrics.bindTo(registry);
        metrics.record(ReportFixtures.bare(
                8,
                StopReason.OUT_OF_MEMORY,
                Trial.measured(4, 100, 1000).withStepTimeSpread(0.004, 5),
                Trial.measured(8, 190, 2000),
                Trial.outOfMemory(16)));

        Gauge spread = spread(registry, 4);
        // An IQR of 4 ms around a median step of 40 ms (4 samples at 100 samples/s).
        assertEquals(0.1, spread.value(), 1e-12);
        assertEquals(TuningMetrics.RATIO, spread.getId().getBaseUnit());
        assertEquals(
                "Relative interquartile range of the trial's step times",
                spread.getId().getDescription());
        assertEquals(
                Set.of("4"),
                batchSizeTags(registry, TuningMetrics.TRIAL_THROUGHPUT_SPREAD),
                "batch size 8 recorded no spread and 16 ran out of memory");
    }

    @Test
    void aSecondTuningWithoutSpreadRemovesTheSpreadGauges() {
        TuningMetrics metrics = new TuningMetrics();
        metrics.bindTo(registry);
        metrics.record(ReportFixtures.cpuWithSpread());
        assertEquals(
                7, registry.find(TuningMetrics.TRIAL_THROUGHPUT_SPREAD).gauges().size());
        assertEquals(0.04, spread(registry, 1024).value(), 1e-12);

        metrics.record(ReportFixtures.cpuEveryOutcome());

        assertTrue(
                registry.find(TuningMetrics.TRIAL_THROUGHPUT_SPREAD).gauges().isEmpty(),
                "a spread nobody measured in this tuning is not published");
    }

    @Test
    void prometheusNamesTheSpreadARatio() {
        PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        TuningMetrics metrics = new TuningMetrics();
        metrics.bindTo(prometheus);
        metrics.record(ReportFixtures.cpuWithSpread());

        String body = prometheus.scrape();
        assertTrue(body.contains("autobatch_trial_throughput_spread_ratio{batch_size=\"1024\"} 0.04"), body);
        assertTrue(
                body.contains("# HELP autobatch_trial_throughput_spread_ratio Relative interquartile range of the"
                        + " trial's step times"),
                body);
    }

    @Test
    void countsTrialsByOutcome() {
        TuningMetrics metrics = new TuningMetrics();
        metrics.bindTo(registry);
        metrics.record(ReportFixtures.cpuEveryOutcome());

        assertEquals(2, trials(registry, "ok"));
        assertEquals(1, trials(registry, "failed"));
        assertEquals(1, trials(registry, "out_of_memory"));
        assertEquals(0, trials(registry, "skipped_over_budget"));
    }

    @Test
    void countsTheTrialAStopOnTheBudgetSkipped() {
        TuningMetrics metrics = new TuningMetrics();
        metrics.bindTo(registry);
        metrics.record(ReportFixtures.bare(
                8, StopReason.MEMORY_BUDGET, Trial.measured(4, 100, 1000), Trial.measured(8, 180, 2000)));

        assertEquals(2, trials(registry, "ok"));
        assertEquals(1, trials(registry, "skipped_over_budget"));
    }

    @Test
    void aStopOnTheBudgetByATrialThatRanOverItSkippedNothing() {
        TuningMetrics metrics = new TuningMetrics();
        metrics.bindTo(registry);
        metrics.record(ReportFixtures.bare(
                4, StopReason.MEMORY_BUDGET, Trial.measured(4, 100, 1000), Trial.measured(8, 180, (1L << 30) + 1)));

        assertEquals(2, trials(registry, "ok"));
        assertEquals(0, trials(registry, "skipped_over_budget"));
    }

    @Test
    void timesEachTuning() {
        TuningMetrics metrics = new TuningMetrics();
        metrics.bindTo(registry);
        metrics.record(ReportFixtures.h100Mlp());

        FunctionTimer timer = registry.get(TuningMetrics.TUNING_DURATION).functionTimer();
        assertEquals(1, timer.count());
        assertEquals(41_512_000_345.0, timer.totalTime(TimeUnit.NANOSECONDS), 1.0);
    }

    @Test
    void everyMeterHasADescriptionAndEveryQuantityABaseUnit() {
        TuningMetrics metrics = new TuningMetrics();
        metrics.bindTo(registry);
        metrics.record(ReportFixtures.h100Mlp());

        for (Meter meter : registry.getMeters()) {
            assertNotNull(meter.getId().getDescription(), meter.getId() + " has no description");
        }
        assertEquals(
                TuningMetrics.SAMPLES_PER_SECOND,
                throughput(registry, 4096).getId().getBaseUnit());
        assertEquals(BaseUnits.BYTES, peak(registry, 4096).getId().getBaseUnit());
        assertEquals(
                BaseUnits.BYTES,
                registry.get(TuningMetrics.MEMORY_BUDGET).gauge().getId().getBaseUnit());
        assertEquals(
                "trials",
                registry.get(TuningMetrics.TRIALS).functionCounter().getId().getBaseUnit());
        // A batch size is a count: with a base unit Prometheus would call it autobatch_batch_size_<unit>.
        assertNull(registry.get(TuningMetrics.BATCH_SIZE).gauge().getId().getBaseUnit());
    }

    @Test
    void recordingASecondTuningUpdatesTheMetersWithoutDuplicatingThem() {
        TuningMetrics metrics = new TuningMetrics();
        metrics.bindTo(registry);
        TuningResult first = ReportFixtures.bare(
                8,
                StopReason.OUT_OF_MEMORY,
                Trial.measured(2, 50, 100),
                Trial.measured(4, 90, 200),
                Trial.measured(8, 150, 400),
                Trial.outOfMemory(16));
        TuningResult second = ReportFixtures.bare(
                16,
                StopReason.MEMORY_BUDGET,
                Trial.measured(4, 95, 210),
                Trial.measured(8, 160, 420),
                Trial.measured(16, 240, 830));
        metrics.record(first);
        metrics.record(second);

        assertEquals(1, registry.find(TuningMetrics.BATCH_SIZE).gauges().size());
        assertEquals(16, registry.get(TuningMetrics.BATCH_SIZE).gauge().value());
        assertEquals(160, throughput(registry, 8).value());
        assertEquals(830, peak(registry, 16).value());
        assertEquals(
                Set.of("4", "8", "16"),
                batchSizeTags(registry, TuningMetrics.TRIAL_THROUGHPUT),
                "batch size 2 did not run in the second tuning, so its gauges are gone");
        assertEquals(Set.of("4", "8", "16"), batchSizeTags(registry, TuningMetrics.TRIAL_MEMORY_PEAK));
        assertEquals(1, registry.find(TuningMetrics.MEMORY_BUDGET).gauges().size());
        assertEquals(4, registry.find(TuningMetrics.TRIALS).functionCounters().size());
        assertEquals(
                1, registry.find(TuningMetrics.TUNING_DURATION).functionTimers().size());
        // Counters and the timer accumulate over the tunings of the process.
        assertEquals(3 + 3, trials(registry, "ok"));
        assertEquals(1, trials(registry, "out_of_memory"));
        assertEquals(1, trials(registry, "skipped_over_budget"));
        assertEquals(
                2, registry.get(TuningMetrics.TUNING_DURATION).functionTimer().count());
    }

    @Test
    void replacesTheChosenSizeGaugeWhenTheModelChanges() {
        TuningMetrics metrics = new TuningMetrics();
        metrics.bindTo(registry);
        metrics.record(ReportFixtures.cpuEveryOutcome());
        metrics.record(ReportFixtures.h100Mlp());

        List<Gauge> gauges = List.copyOf(registry.find(TuningMetrics.BATCH_SIZE).gauges());
        assertEquals(1, gauges.size());
        assertEquals("mlp-784-4096-4096-10", gauges.get(0).getId().getTag("model"));
    }

    @Test
    void gaugesKeepTheirValuesAfterGarbageCollection() {
        bindAndRecordWithoutKeepingTheBinder(registry, ReportFixtures.h100Mlp());
        collectGarbage();

        assertEquals(8192, registry.get(TuningMetrics.BATCH_SIZE).gauge().value());
        assertEquals(413724.8, throughput(registry, 4096).value());
        assertEquals(564021760.0, peak(registry, 4096).value());
        assertEquals(15, trials(registry, "ok"));
        assertEquals(
                1, registry.get(TuningMetrics.TUNING_DURATION).functionTimer().count());
    }

    @Test
    void bindingAfterARecordingShowsThatRecording() {
        TuningMetrics metrics = new TuningMetrics();
        metrics.record(ReportFixtures.cpuEveryOutcome());
        metrics.bindTo(registry);
        metrics.bindTo(registry);

        assertEquals(64, registry.get(TuningMetrics.BATCH_SIZE).gauge().value());
        assertEquals(2, trials(registry, "ok"));
        assertEquals(4, registry.find(TuningMetrics.TRIALS).functionCounters().size());
    }

    @Test
    void registersOnlyCountersAndTheTimerBeforeAnyTuning() {
        new TuningMetrics().bindTo(registry);

        assertEquals(
                Set.of(TuningMetrics.TRIALS, TuningMetrics.TUNING_DURATION),
                registry.getMeters().stream().map(m -> m.getId().getName()).collect(Collectors.toSet()));
    }

    @Test
    void theGlobalInstancePublishesToEveryRegistryAddedToTheGlobalRegistry() {
        Metrics.addRegistry(registry);
        try {
            TuningMetrics.global().bindTo(Metrics.globalRegistry); // as AutoBatch.tune does
            TuningMetrics.global().record(ReportFixtures.h100Mlp());

            assertEquals(8192, registry.get(TuningMetrics.BATCH_SIZE).gauge().value());
            assertEquals(413724.8, throughput(registry, 4096).value());
            TuningMetrics.global().record(ReportFixtures.cpuEveryOutcome());
            assertEquals(64, registry.get(TuningMetrics.BATCH_SIZE).gauge().value());
            assertEquals(
                    Set.of("32", "64"),
                    batchSizeTags(registry, TuningMetrics.TRIAL_THROUGHPUT),
                    "removing a gauge from the global registry removes it from the registries under it");
        } finally {
            Metrics.removeRegistry(registry);
        }
    }

    private static void bindAndRecordWithoutKeepingTheBinder(MeterRegistry registry, TuningResult result) {
        TuningMetrics metrics = new TuningMetrics();
        metrics.bindTo(registry);
        metrics.record(result);
    }

    /** Runs the collector until an unreachable object has been collected, so a weak reference would be too. */
    private static void collectGarbage() {
        WeakReference<Object> sentinel = new WeakReference<>(new Object());
        for (int i = 0; i < 50 && sentinel.get() != null; i++) {
            System.gc();
            Thread.onSpinWait();
        }
        assertNull(sentinel.get(), "the garbage collector did not run");
    }

    static Gauge throughput(MeterRegistry registry, int batchSize) {
        return registry.get(TuningMetrics.TRIAL_THROUGHPUT)
                .tag("batch.size", Integer.toString(batchSize))
                .gauge();
    }

    static Gauge spread(MeterRegistry registry, int batchSize) {
        return registry.get(TuningMetrics.TRIAL_THROUGHPUT_SPREAD)
                .tag("batch.size", Integer.toString(batchSize))
                .gauge();
    }

    static Gauge peak(MeterRegistry registry, int batchSize) {
        return registry.get(TuningMetrics.TRIAL_MEMORY_PEAK)
                .tag("batch.size", Integer.toString(batchSize))
                .gauge();
    }

    static double trials(MeterRegistry registry, String outcome) {
        FunctionCounter counter =
                registry.get(TuningMetrics.TRIALS).tag("outcome", outcome).functionCounter();
        return counter.count();
    }

    private static Set<String> batchSizeTags(MeterRegistry registry, String name) {
        return registry.find(name).meters().stream()
                .map(meter -> meter.getId().getTag("batch.size"))
                .collect(Collectors.toSet());
    }
}
