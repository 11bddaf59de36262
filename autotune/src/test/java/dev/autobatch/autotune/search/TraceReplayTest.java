package dev.autobatch.autotune.search;

import dev.autobatch.autotune.TuningResult;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.autobatch.core.Trial;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import java.util.stream.Stream;

/**
 * The search against whole throughput and memory curves: the measured H100 MLP trace and synthetic
 * models on other devices, replayed by the rule of {@code traces/README.md}.
 */
class TraceReplayTest {

    private static final double[] BUDGET_FRACTIONS = {0.5, 0.2, 0.05};

    static Stream<Trace> traces() {
        return SyntheticTraces.all().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("traces")
    void throughputChoiceIsWithinFivePercentOfTheBestOnAtMostHalfTheMemoryOfTheLargestFit(Trace trace) {
        TuningResult result = BatchSizeSearch.builder().build().run(new ReplayRunner(trace));

        assertFastEnoughOnLittleMemory(trace, result);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("traces")
    void maxFitChoiceIsWithinTenPercentBelowTheLargestFitInAtMostTwiceTheDoublingTrials(Trace trace) {
        TuningResult result = BatchSizeSearch.builder().optGoal(Goal.MAX_FIT).build().run(new ReplayRunner(trace));

        long largest = trace.largestFit();
        assertTrue(
                result.batchSize() <= largest && result.batchSize() >= 0.9 * largest,
                () -> trace + ": chose " + result.batchSize() + ", the largest that fits is " + largest + "\n"
                        + result);
        assertTrue(
                result.trials().size() <= 2 * trace.doublingTrials(2),
                () -> trace + ": " + result.trials().size() + " trials, plain doubling takes "
                        + trace.doublingTrials(2) + "\n" + result);
    }

    static Stream<Arguments> noisyCpuRuns() {
        return Stream.of(0.10, 0.15)
                .flatMap(amplitude -> LongStream.rangeClosed(1, 60).mapToObj(seed -> Arguments.of(amplitude, seed)));
    }

    @ParameterizedTest(name = "noise {0}, seed {1}")
    @MethodSource("noisyCpuRuns")
    void throughputChoiceMeetsTheSameBarOnACpuWhoseTimingsJitter(double amplitude, long seed) {
        Trace cpu = SyntheticTraces.cpu();

        TuningResult result = BatchSizeSearch.builder().build().run(new ReplayRunner(cpu).withNoise(amplitude, seed));

        assertFastEnoughOnLittleMemory(cpu, result);
    }

    /**
     * Beyond the fixed seeds above: how often the choice falls short on the noisy CPU curve. With
     * uniform jitter of up to 15% a trial, three neighbouring sizes now and then all come out high
     * and the plateau low. When this was written no choice fell short on seeds 1 to 2000.
     */
    @Test
    void throughputChoiceFallsShortOnFewerThanOneInAHundredNoisyCpuRuns() {
        Trace cpu = SyntheticTraces.cpu();
        double best = cpu.bestSamplesPerSecond(cpu.largestFit());
        List<String> shortfalls = new ArrayList<>();
        for (long seed = 1; seed <= 500; seed++) {
            TuningResult result = BatchSizeSearch.builder().build().run(new ReplayRunner(cpu).withNoise(0.15, seed));
            double share = cpu.samplesPerSecond(result.batchSize()) / best;
            if (share < 0.95) {
                shortfalls.add(String.format("seed %d: %d at %.1f%%", seed, result.batchSize(), 100 * share));
            }
        }
        assertTrue(shortfalls.size() < 5, () -> "choices below 95% of the best: " + shortfalls);
    }

    @Test
    void onTheH100MlpTraceThroughputSaturatesFarBelowTheLargestFit() {
        Trace h100 = Trace.load("traces/h100-mlp.jsonl");

        TuningResult result = BatchSizeSearch.builder().build().run(new ReplayRunner(h100));

        assertEquals(StopReason.THROUGHPUT_SATURATED, result.stopReason(), result::toString);
        // The trace's point: what speed needs is a small fraction of the largest size that fits.
        assertTrue(result.batchSize() <= h100.largestFit() / 20, result::toString);
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

        TuningResult result =
                BatchSizeSearch.builder().optGoal(goal).optMemoryBudgetBytes(budget).build().run(runner);

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
            assertTrue(
                    trace.samplesPerSecond(result.batchSize()) >= 0.95 * best,
                    () -> trace + ": chose " + result.batchSize() + " at "
                            + trace.samplesPerSecond(result.batchSize()) + " samples/s, the best within the budget is "
                            + best + "\n" + result);
        }
    }

    @Test
    void oneNoisyDipDoesNotStopTheDoublingEarly() {
        Trace cpu = SyntheticTraces.cpu();
        // 15% low at 4096: measured against 1024 the last two doublings seem to gain nothing.
        ReplayRunner runner = new ReplayRunner(cpu).withFactor(4096, 0.85);

        TuningResult result = BatchSizeSearch.builder().build().run(runner);

        assertEquals("saturating", verdictAt(result, 4096), () -> "the dip should look saturated\n" + result);
        assertTrue(
                result.trials().stream().anyMatch(t -> t.batchSize() > 8192),
                () -> "the doubling stopped at the dip\n" + result);
        assertFastEnoughOnLittleMemory(cpu, result);
    }

    static Stream<Arguments> spikes() {
        return Stream.of(
                Arguments.of(Trace.load("traces/h100-mlp.jsonl"), 2048), Arguments.of(SyntheticTraces.cpu(), 2048));
    }

    @ParameterizedTest(name = "{0}, spike at {1}")
    @MethodSource("spikes")
    void oneNoisySpikeIsNotChosen(Trace trace, int spikeAt) {
        ReplayRunner runner = new ReplayRunner(trace).withFactor(spikeAt, 1.15);

        TuningResult result = BatchSizeSearch.builder().build().run(runner);

        Trial spike = result.trials().stream().filter(t -> t.batchSize() == spikeAt).findFirst().orElseThrow();
        assertTrue(
                result.trials().stream()
                        .filter(Trial::ok)
                        .allMatch(t -> t.samplesPerSecond() <= spike.samplesPerSecond()),
                "the spike is the highest throughput measured, so choosing the raw best would choose it");
        assertNotEquals(spikeAt, result.batchSize(), result::toString);
        assertFastEnoughOnLittleMemory(trace, result);
    }

    private static void assertFastEnoughOnLittleMemory(Trace trace, TuningResult result) {
        long largest = trace.largestFit();
        double best = trace.bestSamplesPerSecond(largest);
        int chosen = result.batchSize();
        assertTrue(
                trace.samplesPerSecond(chosen) >= 0.95 * best,
                () -> String.format(
                        "%s: chose %d at %.0f samples/s, %.1f%% of the best %.0f%n%s",
                        trace, chosen, trace.samplesPerSecond(chosen), 100 * trace.samplesPerSecond(chosen) / best,
                        best, result));
        assertTrue(
                trace.peakBytes(chosen) <= 0.5 * trace.peakBytes(largest),
                () -> String.format(
                        "%s: chose %d on %.0f bytes, more than half the %.0f of the largest fit %d%n%s",
                        trace, chosen, trace.peakBytes(chosen), trace.peakBytes(largest), largest, result));
        assertTrue(
                result.trials().size() <= trace.doublingTrials(2),
                () -> trace + ": " + result.trials().size() + " trials, plain doubling until out of memory takes "
                        + trace.doublingTrials(2) + "\n" + result);
    }

    private static String verdictAt(TuningResult result, int batchSize) {
        for (int i = 0; i < result.trials().size(); i++) {
            if (result.trials().get(i).batchSize() == batchSize) {
                return result.verdicts().get(i);
            }
        }
        throw new AssertionError("no trial at batch size " + batchSize + "\n" + result);
    }
}
