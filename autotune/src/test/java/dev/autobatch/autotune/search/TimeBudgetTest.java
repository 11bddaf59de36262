package dev.autobatch.autotune.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.autobatch.autotune.TuningResult;
import dev.autobatch.core.Trial;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The search against the clock: a runner whose trials take simulated time (a fixed 0.3 s plus
 * eight steps of {@code a + c B}) on a clock the search reads, so time is exact and nothing sleeps.
 */
class TimeBudgetTest {

    /** Trials of a slow model on a simulated clock; records the clock at each trial's end. */
    private static class SlowRunner implements TrialRunner {
        final double overhead;
        final double perSample;
        long nanos;
        final List<Double> ends = new ArrayList<>();
        final List<Integer> asked = new ArrayList<>();

        SlowRunner(double overhead, double perSample) {
            this.overhead = overhead;
            this.perSample = perSample;
        }

        @Override
        public Trial run(int b) {
            asked.add(b);
            double step = overhead + perSample * b;
            nanos += (long) ((0.3 + 8 * step) * 1e9);
            ends.add(nanos / 1e9);
            return Trial.measured(b, b / step, 1_000_000_000L + 1000L * b);
        }
    }

    @Test
    void noTrialPredictedToEndPastTheDoublingsShareOfTheBudgetStartsAndTheResultSaysWhy() {
        // Throughput still doubles with the batch: only the clock can stop the doubling.
        SlowRunner runner = new SlowRunner(0.5, 1e-6);

        TuningResult result = BatchSizeSearch.builder()
                .optGoal(Goal.THROUGHPUT)
                .optTimeBudget(Duration.ofSeconds(60))
                .optClock(() -> runner.nanos)
                .build()
                .run(runner);

        assertEquals(StopReason.TIME_BUDGET, result.stopReason(), result::toString);
        // Doubling trials end by 70% of the budget; confirmation rounds may use the rest, not more.
        int doubling = (int) runner.asked.stream().distinct().count();
        assertTrue(runner.ends.get(doubling - 1) <= 42, runner.ends::toString);
        assertTrue(runner.ends.get(runner.ends.size() - 1) <= 60, runner.ends::toString);
        assertEquals(Duration.ofSeconds(60), result.settings().timeBudget());
    }

    @Test
    void whereTheNextTrialIsExpensiveOneFlatDoublingStopsTheSearch() {
        // 0.5 s a step and almost nothing more a sample: a trial takes 4.3 s, so the next is predicted
        // at 8.6 s, more than an eighth of the 60 s budget. Throughput doubles up to 8, then is flat.
        SlowRunner flatFromEight = new SlowRunner(0.5, 1e-6) {
            @Override
            public Trial run(int b) {
                Trial trial = super.run(b);
                return b <= 8 ? trial : Trial.measured(b, trial.samplesPerSecond() * 8 / b, trial.peakMemoryBytes());
            }
        };

        TuningResult result = BatchSizeSearch.builder()
                .optGoal(Goal.THROUGHPUT)
                .optClock(() -> flatFromEight.nanos)
                .build()
                .run(flatFromEight);

        assertEquals(StopReason.THROUGHPUT_SATURATED, result.stopReason(), result::toString);
        assertEquals(
                16,
                flatFromEight.asked.stream().mapToInt(Integer::intValue).max().orElseThrow(),
                () -> "one doubling past the flat, not two\n" + result);
        assertEquals(8, result.batchSize(), result::toString);
    }

    @Test
    void aCheapModelNeedsTwoFlatDoublingsInARowToStop() {
        BatchSizeSearch search =
                BatchSizeSearch.builder().optGoal(Goal.THROUGHPUT).build();
        TrialRunner flatFromEight = b -> Trial.measured(b, 1000.0 * Math.min(b, 8), 1_000_000L * b);

        TuningResult result = search.run(flatFromEight);

        assertEquals(StopReason.THROUGHPUT_SATURATED, result.stopReason(), result::toString);
        assertEquals(
                64, result.trials().stream().mapToInt(Trial::batchSize).max().orElseThrow(), result::toString);
        assertEquals(8, result.batchSize(), result::toString);
    }

    @Test
    void rejectsATimeBudgetThatIsNotPositive() {
        IllegalArgumentException error = assertThrows(
                IllegalArgumentException.class, () -> BatchSizeSearch.builder().optTimeBudget(Duration.ZERO));

        assertEquals("the time budget must be positive, got PT0S; 60 s is the default", error.getMessage());
    }
}
