package dev.autobatch.autotune.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.autobatch.autotune.TuningResult;
import dev.autobatch.core.Trial;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The search against whole throughput and memory curves: the measured H100 traces (MLP and
 * ResNet-50) and synthetic curves, most of them not lines in step time (flat then linear, a peak
 * then a decline, a plateau with a late creep), replayed by the rule of {@code traces/README.md};
 * with and without noise drawn afresh for every measurement.
 *
 * <p>What a trustworthy throughput choice means here, as for a careful sweep of powers of two: at
 * least 95% of the best throughput of any size that fits (93% where noise jitters every
 * measurement, or where the best lies beyond where the doubling saw saturation), at most twice the
 * knee (the smallest power of two within 5% of the best), and at most half the largest fit's
 * memory.
 */
class TraceReplayTest {

    private static final double[] BUDGET_FRACTIONS = {0.5, 0.2, 0.05};

    static Stream<Trace> traces() {
        return SyntheticTraces.all().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("traces")
    void throughputChoiceIsNearTheKneeOnLittleMemoryInFewTrials(Trace trace) {
        ReplayRunner runner = new ReplayRunner(trace);

        TuningResult result =
                BatchSizeSearch.builder().optGoal(Goal.THROUGHPUT).build().run(runner);

        assertTrustworthy(trace, result, trace.toString().equals("plateau-late-creep") ? 0.93 : 0.95);
        long sizes =
                result.trials().stream().mapToInt(Trial::batchSize).distinct().count();
        assertTrue(
                sizes <= trace.doublingTrials(2),
                () -> trace + ": " + sizes + " sizes tried, plain doubling until out of memory takes "
                        + trace.doublingTrials(2) + "\n" + result);
        // A replay answers alike every time: one re-measurement shows it, and no more are run.
        assertTrue(
                result.trials().size() <= sizes + 1, () -> trace + ": re-measured a replay more than once\n" + result);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("traces")
    void maxFitChoiceIsWithinTenPercentBelowTheLargestFitInAtMostTwiceTheDoublingTrials(Trace trace) {
        TuningResult result =
                BatchSizeSearch.builder().optGoal(Goal.MAX_FIT).build().run(new ReplayRunner(trace));

        long largest = trace.largestFit();
        assertTrue(
                result.batchSize() <= largest && result.batchSize() >= 0.9 * largest,
                () -> trace + ": chose " + result.batchSize() + ", the largest that fits is " + largest + "\n"
                        + result);
        assertTrue(
                result.trials().size() <= 2 * trace.doublingTrials(2),
                () -> trace + ": " + result.trials().size() + " trials, plain doubling takes " + trace.doublingTrials(2)
                        + "\n" + result);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("traces")
    void aReplayWhoseTrialsReportATinySpreadIsChosenForAsOneWithout(Trace trace) {
        // A replay re-measured once is known to repeat exactly, whatever spread its trials report:
        // every size stays a candidate, not only the one re-measured.
        ReplayRunner plain = new ReplayRunner(trace);
        ReplayRunner replay = new ReplayRunner(trace);
        TrialRunner withSpread = b -> {
            Trial trial = replay.run(b);
            return trial.ok() ? trial.withStepTimeSpread(0.001 * trial.medianStepSeconds(), 20) : trial;
        };

        TuningResult expected =
                BatchSizeSearch.builder().optGoal(Goal.THROUGHPUT).build().run(plain);
        TuningResult result =
                BatchSizeSearch.builder().optGoal(Goal.THROUGHPUT).build().run(withSpread);

        assertEquals(expected.batchSize(), result.batchSize(), () -> expected + "\n" + result);
    }

    @Test
    void onTheH100ResNet50TraceThroughputChoosesAtMost256OnAtMostHalfTheLargestFitsMemory() {
        Trace resnet = Trace.load("traces/h100-resnet50.jsonl");

        TuningResult result =
                BatchSizeSearch.builder().optGoal(Goal.THROUGHPUT).build().run(new ReplayRunner(resnet));

        assertTrue(result.batchSize() <= 256, result::toString);
        assertTrue(
                resnet.peakBytes(result.batchSize()) <= 0.5 * resnet.peakBytes(resnet.largestFit()), result::toString);
    }

    @Test
    void onTheH100MlpTraceThroughputChoosesWithinFivePercentOfTheBestOnUnderTwoPercentOfTheLargestFitsMemory() {
        Trace mlp = Trace.load("traces/h100-mlp.jsonl");

        TuningResult result =
                BatchSizeSearch.builder().optGoal(Goal.THROUGHPUT).build().run(new ReplayRunner(mlp));

        double share = mlp.samplesPerSecond(result.batchSize()) / mlp.bestSamplesPerSecond(mlp.largestFit());
        double memory = mlp.peakBytes(result.batchSize()) / mlp.peakBytes(mlp.largestFit());
        assertEquals(StopReason.THROUGHPUT_SATURATED, result.stopReason(), result::toString);
        assertTrue(
                share >= 0.95 && memory <= 0.02,
                () -> share + " of the best on " + memory + " of the memory\n" + result);
        // Doubling to out of memory takes 21 trials: here 16 sizes to saturation and one re-measurement.
        assertTrue(result.trials().size() <= 17, result::toString);
    }

    @Test
    void onTheH100ResNet50TraceWithEightPercentNoiseOnEveryMeasurementTheChoiceStaysAtOrBelow256() {
        Trace resnet = Trace.load("traces/h100-resnet50.jsonl");
        List<String> misses = new ArrayList<>();
        for (long seed = 1; seed <= 200; seed++) {
            TuningResult result = throughput(resnet, 0.08, seed);
            if (result.batchSize() > 256 || result.batchSize() < 64) {
                misses.add("seed " + seed + ": " + result.batchSize());
            }
        }
        // When this was written 1 in 300 chose 512.
        assertTrue(misses.size() <= 2, () -> "choices outside 64 to 256: " + misses);
    }

    static Stream<Arguments> noisyCurves() {
        return Stream.of(
                Arguments.of(Trace.load("traces/h100-resnet50.jsonl"), 0.08, 0.97),
                Arguments.of(Trace.load("traces/h100-mlp.jsonl"), 0.08, 0.75),
                Arguments.of(SyntheticTraces.cpu(), 0.03, 0.99),
                Arguments.of(SyntheticTraces.cpu(), 0.10, 0.95),
                Arguments.of(SyntheticTraces.cpu(), 0.15, 0.85),
                Arguments.of(SyntheticTraces.flatThenLinear(), 0.10, 0.95),
                Arguments.of(SyntheticTraces.peakThenDecline(), 0.10, 0.99),
                Arguments.of(SyntheticTraces.plateauWithLateCreep(), 0.03, 0.70));
    }

    /**
     * With noise drawn afresh for every measurement (uniform, up to the amplitude either way), the
     * share of 200 seeded runs whose choice is within 7% of the best and at most twice the knee.
     * The shares required are what the search reached when this was written, less a margin: high
     * where confirmation rounds can tell the sizes apart, lower on the H100 MLP, whose throughput
     * creeps up 8% from the knee to the best over seven doublings, and on the late creep, which
     * lies beyond where the doubling sees saturation.
     */
    @ParameterizedTest(name = "{0}, noise {1}: at least {2} of the choices trustworthy")
    @MethodSource("noisyCurves")
    void withNoiseOnEveryMeasurementMostChoicesStayWithinSevenPercentOfTheBestAndTwiceTheKnee(
            Trace trace, double amplitude, double share) {
        List<String> misses = new ArrayList<>();
        for (long seed = 1; seed <= 200; seed++) {
            TuningResult result = throughput(trace, amplitude, seed);
            if (!trustworthy(trace, result.batchSize(), 0.93)) {
                misses.add(seed + ": " + result.batchSize());
            }
        }
        assertTrue(misses.size() <= (1 - share) * 200, () -> misses.size() + " of 200 missed: " + misses);
    }

    @Test
    void onACpuWhoseTimingsJitterByTenPercentAlmostNoChoiceDriftsPastFourTimesTheKnee() {
        Trace cpu = SyntheticTraces.cpu();
        List<Integer> drifted = new ArrayList<>();
        for (long seed = 1; seed <= 200; seed++) {
            int chosen = throughput(cpu, 0.10, seed).batchSize();
            if (chosen > 4 * cpu.knee(0.05)) {
                drifted.add(chosen);
            }
        }
        assertTrue(drifted.size() <= 1, () -> "drifted past four times the knee: " + drifted);
    }

    @Test
    void noChoiceRestsOnOneMeasurementWhenMeasurementsVary() {
        Trace resnet = Trace.load("traces/h100-resnet50.jsonl");
        for (long seed = 1; seed <= 20; seed++) {
            ReplayRunner runner = new ReplayRunner(resnet).withNoise(0.08, seed);

            TuningResult result =
                    BatchSizeSearch.builder().optGoal(Goal.THROUGHPUT).build().run(runner);

            long atChoice = runner.trials.stream()
                    .filter(t -> t.batchSize() == result.batchSize())
                    .count();
            assertTrue(atChoice >= 3, () -> "the choice was measured " + atChoice + " times\n" + result);
        }
    }

    @Test
    void aSmallerSizeWhoseConfirmedThroughputIsHigherIsChosenOverALargerOne() {
        Trace cpu = SyntheticTraces.cpu();
        for (long seed = 1; seed <= 20; seed++) {
            TuningResult result = BatchSizeSearch.builder()
                    .optGoal(Goal.THROUGHPUT)
                    .build()
                    .run(new ReplayRunner(cpu).withNoise(0.10, seed));

            double chosen = result.confirmedSamplesPerSecond(result.batchSize());
            for (Trial t : result.trials()) {
                int size = t.batchSize();
                long measured = result.trials().stream()
                        .filter(u -> u.batchSize() == size)
                        .count();
                if (size < result.batchSize() && measured > 1) {
                    double smaller = result.confirmedSamplesPerSecond(size);
                    assertTrue(
                            smaller <= chosen * 1.05,
                            () -> "batch size " + size + " confirmed " + smaller + ", above the chosen " + chosen + "\n"
                                    + result);
                }
            }
        }
    }

    static Stream<Arguments> budgets() {
        List<Arguments> budgets = new ArrayList<>();
        for (Trace trace : SyntheticTraces.all()) {
            for (double fraction : BUDGET_FRACTIONS) {
                for (Goal goal : Goal.values()) {
                    budgets.add(Arguments.of(trace, fraction, goal));
                }
            }
        }
        return budgets.stream();
    }

    @ParameterizedTest(name = "{0}, budget {1} of the device, {2}")
    @MethodSource("budgets")
    void neverRunsATrialAboveABudgetBelowTheDevicesMemory(Trace trace, double fraction, Goal goal) {
        long budget = (long) (fraction * trace.totalBytes);
        ReplayRunner runner = new ReplayRunner(trace).guardingBudget(budget);

        TuningResult result = BatchSizeSearch.builder()
                .optGoal(goal)
                .optMemoryBudgetBytes(budget)
                .build()
                .run(runner);

        for (Trial trial : runner.trials) {
            assertTrue(
                    !trial.outOfMemory() && trial.peakMemoryBytes() <= budget,
                    () -> trace + ": ran " + trial + " above the budget " + budget);
        }
        long largest = trace.largestFitWithin(budget);
        if (goal == Goal.MAX_FIT) {
            assertTrue(
                    result.batchSize() <= largest && result.batchSize() >= 0.9 * largest,
                    () -> trace + ": chose " + result.batchSize() + ", the largest within the budget is " + largest
                            + "\n" + result);
        } else {
            double best = trace.bestSamplesPerSecond(largest);
            double bar = trace.toString().equals("plateau-late-creep") ? 0.93 : 0.95;
            assertTrue(
                    trace.samplesPerSecond(result.batchSize()) >= bar * best,
                    () -> trace + ": chose " + result.batchSize() + " at "
                            + trace.samplesPerSecond(result.batchSize()) + " samples/s, the best within the budget is "
                            + best + "\n" + result);
        }
    }

    @Test
    void oneDipDoesNotStopTheDoublingEarly() {
        Trace cpu = SyntheticTraces.cpu();
        // 15% low at 4096, every time it is measured: against 1024 two doublings seem to gain nothing.
        ReplayRunner runner = new ReplayRunner(cpu).withFactor(4096, 0.85);

        TuningResult result =
                BatchSizeSearch.builder().optGoal(Goal.THROUGHPUT).build().run(runner);

        assertTrue(
                result.trials().stream().anyMatch(t -> t.batchSize() > 8192),
                () -> "the doubling stopped at the dip\n" + result);
        assertTrustworthy(cpu, result, 0.95);
    }

    static Stream<Arguments> spikes() {
        return Stream.of(
                Arguments.of(Trace.load("traces/h100-mlp.jsonl"), 2048), Arguments.of(SyntheticTraces.cpu(), 2048));
    }

    @ParameterizedTest(name = "{0}, spike at {1}")
    @MethodSource("spikes")
    void oneNoisySpikeIsNotChosen(Trace trace, int spikeAt) {
        ReplayRunner runner =
                new ReplayRunner(trace).withFactorOnce(spikeAt, 1.15).withNoise(0.01, 7);

        TuningResult result =
                BatchSizeSearch.builder().optGoal(Goal.THROUGHPUT).build().run(runner);

        Trial spike = result.trials().stream()
                .filter(t -> t.batchSize() == spikeAt)
                .findFirst()
                .orElseThrow();
        assertTrue(
                result.trials().stream()
                        .filter(Trial::ok)
                        .allMatch(t -> t.samplesPerSecond() <= spike.samplesPerSecond()),
                "the spike is the highest throughput measured, so choosing the raw best would choose it");
        assertNotEquals(spikeAt, result.batchSize(), result::toString);
        // The spike also makes the doubling see saturation early, so the best seen is lower.
        assertTrustworthy(trace, result, 0.93);
    }

    private static TuningResult throughput(Trace trace, double amplitude, long seed) {
        return BatchSizeSearch.builder()
                .optGoal(Goal.THROUGHPUT)
                .build()
                .run(new ReplayRunner(trace).withNoise(amplitude, seed));
    }

    private static boolean trustworthy(Trace trace, int chosen, double shareOfBest) {
        double best = trace.bestSamplesPerSecond(trace.largestFit());
        return trace.samplesPerSecond(chosen) >= shareOfBest * best && chosen <= 2 * trace.knee(0.05);
    }

    private static void assertTrustworthy(Trace trace, TuningResult result, double shareOfBest) {
        long largest = trace.largestFit();
        double best = trace.bestSamplesPerSecond(largest);
        int chosen = result.batchSize();
        long knee = trace.knee(0.05);
        assertTrue(
                trace.samplesPerSecond(chosen) >= shareOfBest * best,
                () -> String.format(
                        "%s: chose %d at %.0f samples/s, %.1f%% of the best %.0f%n%s",
                        trace,
                        chosen,
                        trace.samplesPerSecond(chosen),
                        100 * trace.samplesPerSecond(chosen) / best,
                        best,
                        result));
        assertTrue(
                chosen <= 2 * knee,
                () -> trace + ": chose " + chosen + ", more than twice the knee " + knee + "\n" + result);
        assertTrue(
                trace.peakBytes(chosen) <= 0.5 * trace.peakBytes(largest),
                () -> String.format(
                        "%s: chose %d on %.0f bytes, more than half the %.0f of the largest fit %d%n%s",
                        trace, chosen, trace.peakBytes(chosen), trace.peakBytes(largest), largest, result));
    }
}
