package dev.autobatch.autotune.report;

import dev.autobatch.autotune.TuningContext;
import dev.autobatch.autotune.TuningResult;
import dev.autobatch.autotune.advice.AccumulationPlan;
import dev.autobatch.autotune.advice.LearningRateAdvice;
import dev.autobatch.autotune.advice.NoiseScale;
import dev.autobatch.autotune.probe.GpuInfo;
import dev.autobatch.autotune.probe.HardwareSnapshot;
import dev.autobatch.autotune.search.Choice;
import dev.autobatch.autotune.search.Goal;
import dev.autobatch.autotune.search.SearchSettings;
import dev.autobatch.autotune.search.StopReason;
import dev.autobatch.core.MemoryMeasurement;
import dev.autobatch.core.Trial;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The tuning results the report tests use, built by hand. {@link #full} is the only place that
 * calls the {@link TuningResult} constructor with every component: when the record gains one,
 * change it there.
 */
final class ReportFixtures {

    /** The H100 sweep of {@code h100-mlp.jsonl}: batch size, median step seconds, samples/s, peak bytes. */
    private static final double[][] H100_MLP = {
        {2, 0.0010411, 1921.1, 228500480},
        {4, 0.0010045, 3982.1, 228539392},
        {8, 0.0012173, 6571.7, 228617216},
        {16, 0.0014166, 11294.9, 228773376},
        {32, 0.0014183, 22561.7, 229085696},
        {64, 0.0013978, 45785.7, 229710336},
        {128, 0.0013898, 92099.8, 230960128},
        {256, 0.0012681, 201877.3, 233459712},
        {512, 0.0015412, 332218.2, 242604032},
        {1024, 0.002628, 389654.6, 302705152},
        {2048, 0.0050791, 403223.1, 389810688},
        {4096, 0.0099003, 413724.8, 564021760},
        {8192, 0.0193101, 424234.4, 782420480},
        {16384, 0.0381191, 429810.9, 1273726976},
        {32768, 0.0757118, 432798.9, 2398980096L},
        {65536, 0.1495589, 438195.3, 4649486336L},
        {131072, 0.29868, 438837.6, 9150498816L},
        {262144, 0.5996612, 437153.5, 18152523776L},
        {524288, 1.2096925, 433406.0, 36156573696L},
    };

    private static final long H100_BASELINE_BYTES = 227_540_992L;
    private static final long H100_FREE_BYTES = 84_325_302_272L;

    private ReportFixtures() {}

    /**
     * Builds a result with what a search derives from its trials (the noise scale estimated from
     * them, no accumulation, no learning-rate advice).
     *
     * @return the result
     */
    static TuningResult result(
            int batchSize,
            StopReason stopReason,
            List<Trial> trials,
            SearchSettings settings,
            Duration elapsed,
            TuningContext context) {
        TuningResult derived = new TuningResult(batchSize, stopReason, trials, settings, elapsed, context);
        return full(derived, derived.noiseScale(), derived.accumulation(), derived.learningRate());
    }

    /**
     * Builds a result as a search with these settings would: the goal's rule chooses among the
     * trials and explains its choice.
     *
     * @return the result
     */
    static TuningResult chosen(
            StopReason stopReason,
            List<Trial> trials,
            SearchSettings settings,
            Duration elapsed,
            TuningContext context) {
        Choice choice = settings.goal().choose(trials, settings);
        TuningResult derived = result(choice.batchSize(), stopReason, trials, settings, elapsed, context);
        return new TuningResult(
                derived.batchSize(),
                derived.stopReason(),
                derived.trials(),
                derived.settings(),
                derived.elapsed(),
                derived.context(),
                derived.verdicts(),
                derived.noiseScale(),
                derived.accumulation(),
                derived.learningRate(),
                choice.explanation(),
                derived.source());
    }

    /**
     * Copies a result with a noise scale, a plan and advice: the one call of the {@link
     * TuningResult} constructor with every component in the tests.
     *
     * @return the result
     */
    static TuningResult full(
            TuningResult result, NoiseScale noiseScale, AccumulationPlan plan, LearningRateAdvice advice) {
        return new TuningResult(
                result.batchSize(),
                result.stopReason(),
                result.trials(),
                result.settings(),
                result.elapsed(),
                result.context(),
                result.verdicts(),
                noiseScale,
                plan,
                advice,
                result.explanation(),
                result.source());
    }

    /**
     * A GOODPUT tuning on a CPU planned for a target of 10,000 with accumulation, with SGD advice
     * and trials whose gradient norms carry their spread.
     *
     * @return the result
     */
    static TuningResult cpuGoodputPlanned() {
        List<Trial> trials = new ArrayList<>();
        for (int b = 16; b <= 1024; b *= 2) {
            double norm = 0.25 + 120.0 / b;
            trials.add(Trial.builder(b)
                    .optSamplesPerSecond(2000.0 * b / (b + 64.0) * 100)
                    .optMedianStepSeconds((b + 64.0) / 200_000)
                    .optPeakMemoryBytes(900_000_000L + 50_000L * b)
                    .optBaselineMemoryBytes(880_000_000L)
                    .optMemoryMeasurement(MemoryMeasurement.HOST_PEAK_RSS)
                    .optGradientNorm(norm, 0.3 * 120.0 / b)
                    .build());
        }
        SearchSettings settings = new SearchSettings(
                Goal.GOODPUT,
                2_000_000_000L,
                0.05,
                16,
                4096,
                60_000,
                32,
                10_000,
                1,
                SearchSettings.DEFAULT_TIME_BUDGET);
        TuningContext context = new TuningContext("mlp-784-128-10", "cpu()", HardwareSnapshot.unknown(), "given", 2, 5);
        TuningResult derived =
                chosen(StopReason.THROUGHPUT_SATURATED, trials, settings, Duration.ofMillis(12_345), context);
        AccumulationPlan plan = AccumulationPlan.plan(10_000, 1024, 1024, 1);
        return full(
                derived,
                derived.noiseScale(),
                plan,
                LearningRateAdvice.advise(
                        LearningRateAdvice.Rule.LINEAR,
                        "Sgd",
                        32,
                        0.01,
                        "read from the optimizer",
                        plan.globalBatchSize()));
    }

    /**
     * A bare result: a search without a machine, default settings and a 1 GiB budget.
     *
     * @return the result
     */
    static TuningResult bare(int batchSize, StopReason stopReason, Trial... trials) {
        return result(
                batchSize,
                stopReason,
                List.of(trials),
                new SearchSettings(
                        Goal.THROUGHPUT, 1L << 30, 0.05, 2, 4096, -1, 32, 0, 1, SearchSettings.DEFAULT_TIME_BUDGET),
                Duration.ofMillis(1500),
                TuningContext.none());
    }

    /**
     * The throughput tuning of an MLP on one H100, from the measured trace: doubling from 2 until
     * 32,768, where throughput saturated; 8,192 is the smallest size within 4% of the best.
     *
     * @return the result
     */
    static TuningResult h100Mlp() {
        return h100(Goal.THROUGHPUT, 32768, 8192, StopReason.THROUGHPUT_SATURATED, false);
    }

    /**
     * The largest-fit tuning of the same MLP: every power of two up to 524,288 ran; 1,048,576 ran
     * out of memory.
     *
     * @return the result
     */
    static TuningResult h100MlpMaxFit() {
        return h100(Goal.MAX_FIT, 524288, 524288, StopReason.OUT_OF_MEMORY, true);
    }

    private static TuningResult h100(
            Goal goal, int lastMeasured, int chosen, StopReason stopReason, boolean outOfMemoryAfter) {
        List<Trial> trials = new ArrayList<>();
        for (double[] row : H100_MLP) {
            int batchSize = (int) row[0];
            if (batchSize > lastMeasured) {
                break;
            }
            trials.add(Trial.builder(batchSize)
                    .optSamplesPerSecond(row[2])
                    .optMedianStepSeconds(row[1])
                    .optPeakMemoryBytes((long) row[3])
                    .optBaselineMemoryBytes(H100_BASELINE_BYTES)
                    .optMemoryMeasurement(MemoryMeasurement.DEVICE_USED)
                    .optGradientNorm(0.4 + 25.0 / batchSize, Double.NaN)
                    .build());
        }
        if (outOfMemoryAfter) {
            trials.add(Trial.builder(lastMeasured * 2)
                    .optBaselineMemoryBytes(H100_BASELINE_BYTES)
                    .optMemoryMeasurement(MemoryMeasurement.DEVICE_USED)
                    .optOutOfMemory()
                    .build());
        }
        HardwareSnapshot hardware = new HardwareSnapshot(
                "Intel(R) Xeon(R) Platinum 8480+",
                26,
                52,
                253_403_070_464L,
                241_591_910_400L,
                -1,
                4_294_967_296L,
                List.of(new GpuInfo(0, "NVIDIA H100 80GB HBM3", 85_017_493_504L, H100_FREE_BYTES, "NVML")),
                "PyTorch 2.7.1",
                26,
                1,
                -1);
        long budget = (long) (H100_FREE_BYTES * 0.8);
        TuningContext context = new TuningContext(
                "mlp-784-4096-4096-10", "gpu(0)", hardware, "80% of the 78.5 GiB free on gpu(0) (NVML)", 2, 5);
        TuningResult result = chosen(
                stopReason,
                trials,
                new SearchSettings(goal, budget, 0.05, 2, 1_048_576, -1, 32, 0, 1, SearchSettings.DEFAULT_TIME_BUDGET),
                Duration.ofSeconds(41, 512_000_345),
                context);
        if (result.batchSize() != chosen) {
            throw new AssertionError("the rule chose " + result.batchSize() + ", the fixture says " + chosen);
        }
        return result;
    }

    /**
     * A throughput tuning of a small MLP on a loaded two-core CPU whose trials recorded the spread
     * of their step times (from ±15.5% at 32 to ±1.5% at 2,048); memory barely grows (507 to 521
     * MiB) under a budget of 18.6 GiB, far above it.
     *
     * @return the result
     */
    static TuningResult cpuWithSpread() {
        // batch size, samples/s, peak MiB, interquartile range of the step times over their median
        double[][] sweep = {
            {32, 9_800, 507, 0.31},
            {64, 17_900, 508, 0.12},
            {128, 29_500, 509, 0.08},
            {256, 41_200, 511, 0.05},
            {512, 47_800, 513, 0.06},
            {1024, 50_100, 516, 0.04},
            {2048, 50_900, 521, 0.03},
        };
        List<Trial> trials = new ArrayList<>();
        for (double[] row : sweep) {
            int batchSize = (int) row[0];
            double medianStepSeconds = batchSize / row[1];
            trials.add(Trial.builder(batchSize)
                    .optSamplesPerSecond(row[1])
                    .optMedianStepSeconds(medianStepSeconds)
                    .optPeakMemoryBytes((long) row[2] << 20)
                    .optBaselineMemoryBytes(500L << 20)
                    .optMemoryMeasurement(MemoryMeasurement.HOST_PEAK_RSS)
                    .build()
                    .withStepTimeSpread(row[3] * medianStepSeconds, 5));
        }
        TuningContext context = new TuningContext(
                "mlp-784-128-10", "cpu()", HardwareSnapshot.unknown(), "80% of available host memory", 2, 5);
        return result(
                1024,
                StopReason.THROUGHPUT_SATURATED,
                trials,
                new SearchSettings(
                        Goal.THROUGHPUT,
                        19_971_597_926L,
                        0.05,
                        32,
                        15_000,
                        -1,
                        32,
                        0,
                        1,
                        SearchSettings.DEFAULT_TIME_BUDGET),
                Duration.ofMillis(9_870),
                context);
    }

    /**
     * A CPU tuning with every outcome: two measured trials, one that failed, one out of memory.
     *
     * @return the result
     */
    static TuningResult cpuEveryOutcome() {
        List<Trial> trials = List.of(
                Trial.builder(32)
                        .optSamplesPerSecond(1480.5)
                        .optMedianStepSeconds(32 / 1480.5)
                        .optPeakMemoryBytes(1_210_000_000L)
                        .optBaselineMemoryBytes(1_150_000_000L)
                        .optMemoryMeasurement(MemoryMeasurement.HOST_PEAK_RSS)
                        .optGradientNorm(1.25, Double.NaN)
                        .build(),
                Trial.builder(64)
                        .optSamplesPerSecond(2210.0)
                        .optMedianStepSeconds(64 / 2210.0)
                        .optPeakMemoryBytes(1_330_000_000L)
                        .optBaselineMemoryBytes(1_150_000_000L)
                        .optMemoryMeasurement(MemoryMeasurement.HOST_PEAK_RSS)
                        .build(),
                Trial.failed(128, "The loss was NaN at measured step 3 | a | pipe."),
                Trial.outOfMemory(256));
        HardwareSnapshot hardware = new HardwareSnapshot(
                "AMD EPYC 7B13",
                8,
                16,
                34_359_738_368L,
                30_064_771_072L,
                17_179_869_184L,
                2_147_483_648L,
                List.of(),
                "PyTorch 2.7.1",
                8,
                -1,
                -1);
        TuningContext context =
                new TuningContext("resnet18", "cpu()", hardware, "80% of the container's 16.0 GiB limit", 1, 3);
        return result(
                64,
                StopReason.OUT_OF_MEMORY,
                trials,
                new SearchSettings(
                        Goal.THROUGHPUT,
                        13_743_895_347L,
                        0.05,
                        32,
                        60_000,
                        -1,
                        32,
                        0,
                        1,
                        SearchSettings.DEFAULT_TIME_BUDGET),
                Duration.ofMillis(73_250),
                context);
    }
}
