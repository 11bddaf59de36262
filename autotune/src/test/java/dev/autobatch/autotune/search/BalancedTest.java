package dev.autobatch.autotune.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.autobatch.autotune.TuningResult;
import dev.autobatch.core.Trial;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link Goal#BALANCED} against a replayed curve whose throughput keeps rising to thousands of
 * samples a batch ({@link GoodputTest#linear()}), with gradient norms of a known noise scale: the
 * efficiency {@code (B_noise + 32) / (B_noise + B)} falls to 1/4 at {@code B = 3 B_noise + 128}.
 */
class BalancedTest {

    private static final double GRADIENT_SQUARED = 0.5;

    private static ReplayRunner runner(double noiseScale) {
        return new ReplayRunner(GoodputTest.linear())
                .withGradientNorms(GRADIENT_SQUARED, noiseScale * GRADIENT_SQUARED);
    }

    @ParameterizedTest(name = "B_noise {0}")
    @ValueSource(doubles = {40, 100, 400})
    void choosesTheFastestSizeWithinTheEfficiencyBoundAndStopsDoublingSoonAfterIt(double noiseScale) {
        double bound = 3 * noiseScale + 128;

        TuningResult balanced = BatchSizeSearch.builder().build().run(runner(noiseScale));
        TuningResult throughput =
                BatchSizeSearch.builder().optGoal(Goal.THROUGHPUT).build().run(runner(noiseScale));

        int largestPowerWithin = Integer.highestOneBit((int) bound);
        assertEquals(largestPowerWithin, balanced.batchSize(), balanced::toString);
        assertTrue(throughput.batchSize() > 4 * balanced.batchSize(), () -> throughput + "\n" + balanced);
        int largestTried =
                balanced.trials().stream().mapToInt(Trial::batchSize).max().orElseThrow();
        assertEquals(2 * largestPowerWithin, largestTried, () -> "one size past the bound, no more\n" + balanced);
        assertTrue(balanced.explanation().contains("statistical efficiency falls below 0.25"), balanced.explanation());
    }

    @Test
    void withoutGradientNormsItChoosesAsThroughputAndSaysSo() {
        TuningResult balanced =
                BatchSizeSearch.builder().optGoal(Goal.BALANCED).build().run(new ReplayRunner(GoodputTest.linear()));
        TuningResult throughput =
                BatchSizeSearch.builder().optGoal(Goal.THROUGHPUT).build().run(new ReplayRunner(GoodputTest.linear()));

        assertEquals(throughput.batchSize(), balanced.batchSize());
        assertTrue(balanced.explanation().startsWith("The gradient noise scale is unknown"), balanced.explanation());
        assertTrue(balanced.explanation().contains("so BALANCED chose as THROUGHPUT does."), balanced.explanation());
    }
}
