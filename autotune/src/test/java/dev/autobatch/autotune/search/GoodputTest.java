package dev.autobatch.autotune.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.autobatch.autotune.TuningResult;
import dev.autobatch.core.Trial;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link Goal#GOODPUT} against replayed curves whose gradient norms follow a known noise scale:
 * with a step time {@code a + c B}, goodput {@code B / ((a + c B)(B_noise + B))} peaks at {@code
 * sqrt(B_noise a / c)}.
 */
class GoodputTest {

    /** 5 ms a step plus 10 us a sample: throughput is half its 100,000 samples/s limit at 500. */
    private static final double OVERHEAD = 5e-3;

    private static final double PER_SAMPLE = 1e-5;
    private static final double GRADIENT_SQUARED = 0.5;

    static Trace linear() {
        return Trace.synthetic("linear-step-time", 64L << 30, b -> OVERHEAD + PER_SAMPLE * b, b -> 1e9 + 1e5 * b);
    }

    static double goodput(double b, double noiseScale) {
        return b / ((OVERHEAD + PER_SAMPLE * b) * (noiseScale + b));
    }

    static double optimum(double noiseScale) {
        return Math.sqrt(noiseScale * OVERHEAD / PER_SAMPLE);
    }

    @ParameterizedTest(name = "B_noise {0}")
    @ValueSource(doubles = {100, 500, 2000, 4000, 20000})
    void choosesWithinTwoPercentOfTheAnalyticOptimumsGoodput(double noiseScale) {
        ReplayRunner runner =
                new ReplayRunner(linear()).withGradientNorms(GRADIENT_SQUARED, noiseScale * GRADIENT_SQUARED);

        TuningResult result =
                BatchSizeSearch.builder().optGoal(Goal.GOODPUT).build().run(runner);

        double best = optimum(noiseScale);
        int chosen = result.batchSize();
        assertEquals(noiseScale, result.noiseScale().bSimple(), 1e-6 * noiseScale, result::toString);
        assertTrue(
                goodput(chosen, noiseScale) >= 0.98 * goodput(best, noiseScale),
                () -> String.format(
                        "chose %d, the optimum is %.0f; goodput %.1f%% of the best%n%s",
                        chosen, best, 100 * goodput(chosen, noiseScale) / goodput(best, noiseScale), result));
        assertTrue(
                chosen >= best / 1.5 && chosen <= best * 1.5,
                () -> "chose " + chosen + ", the optimum is " + best + "\n" + result);
        assertTrue(result.toString().contains("gradient noise scale: B_simple"), result::toString);
    }

    @ParameterizedTest(name = "B_noise {0}")
    @ValueSource(doubles = {500, 4000})
    void choosesASmallerBatchThanThroughputWhereTheNoiseScaleIsBelowSaturation(double noiseScale) {
        TuningResult throughput = BatchSizeSearch.builder()
                .optGoal(Goal.THROUGHPUT)
                .build()
                .run(new ReplayRunner(linear()).withGradientNorms(GRADIENT_SQUARED, noiseScale * GRADIENT_SQUARED));
        TuningResult goodput = BatchSizeSearch.builder()
                .optGoal(Goal.GOODPUT)
                .build()
                .run(new ReplayRunner(linear()).withGradientNorms(GRADIENT_SQUARED, noiseScale * GRADIENT_SQUARED));

        assertTrue(goodput.batchSize() < throughput.batchSize(), () -> goodput + "\n" + throughput);
        // Past the most goodput the doubling stops once goodput has fallen: no later than THROUGHPUT's.
        assertEquals(StopReason.THROUGHPUT_SATURATED, goodput.stopReason(), goodput::toString);
        int largestGoodput =
                goodput.trials().stream().mapToInt(Trial::batchSize).max().orElseThrow();
        int largestThroughput =
                throughput.trials().stream().mapToInt(Trial::batchSize).max().orElseThrow();
        assertTrue(largestGoodput <= largestThroughput, () -> goodput + "\n" + throughput);
    }

    static Stream<Arguments> noisyRuns() {
        return LongStream.rangeClosed(1, 30).mapToObj(seed -> Arguments.of(seed));
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("noisyRuns")
    void withNoisyTimingsAndNormsTheChoiceStaysNearTheOptimum(long seed) {
        double noiseScale = 2000;
        ReplayRunner runner = new ReplayRunner(linear())
                .withNoise(0.10, seed)
                .withGradientNorms(GRADIENT_SQUARED, noiseScale * GRADIENT_SQUARED)
                .withGradientNoise(0.15, seed);

        TuningResult result =
                BatchSizeSearch.builder().optGoal(Goal.GOODPUT).build().run(runner);

        double estimate = result.noiseScale().bSimple();
        assertTrue(estimate > noiseScale / 2 && estimate < 2 * noiseScale, result::toString);
        assertTrue(
                goodput(result.batchSize(), noiseScale) >= 0.9 * goodput(optimum(noiseScale), noiseScale),
                result::toString);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.autobatch.autotune.search.TraceReplayTest#traces")
    void withoutGradientNormsItFallsBackToTheThroughputChoiceAndSaysSo(Trace trace) {
        TuningResult throughput = BatchSizeSearch.builder().build().run(new ReplayRunner(trace));
        TuningResult goodput =
                BatchSizeSearch.builder().optGoal(Goal.GOODPUT).build().run(new ReplayRunner(trace));

        assertEquals(throughput.batchSize(), goodput.batchSize(), goodput::toString);
        assertEquals(throughput.trials(), goodput.trials());
        assertTrue(!goodput.noiseScale().isKnown());
        assertTrue(
                goodput.toString().contains("gradient noise scale: unknown: no trial recorded gradient norms"),
                goodput::toString);
    }

    @ParameterizedTest(name = "{0} devices")
    @ValueSource(ints = {1, 4})
    void efficiencyIsJudgedAtTheGlobalBatchOfAllDevices(int devices) {
        double noiseScale = 2000;
        ReplayRunner runner =
                new ReplayRunner(linear()).withGradientNorms(GRADIENT_SQUARED, noiseScale * GRADIENT_SQUARED);

        TuningResult result = BatchSizeSearch.builder()
                .optGoal(Goal.GOODPUT)
                .optDevices(devices)
                .build()
                .run(runner);

        // Per device: throughput(b) x efficiency(devices b) peaks at sqrt(B_noise a / (c devices)).
        double best = Math.sqrt(noiseScale * OVERHEAD / (PER_SAMPLE * devices));
        assertTrue(
                result.batchSize() >= best / 1.5 && result.batchSize() <= best * 1.5,
                () -> "chose " + result.batchSize() + ", the optimum is " + best + "\n" + result);
    }
}
