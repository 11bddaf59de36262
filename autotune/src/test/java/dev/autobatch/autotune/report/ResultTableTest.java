package dev.autobatch.autotune.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.autobatch.autotune.TuningContext;
import dev.autobatch.autotune.TuningResult;
import dev.autobatch.autotune.search.Goal;
import dev.autobatch.autotune.search.SearchSettings;
import dev.autobatch.autotune.search.StopReason;
import dev.autobatch.core.Trial;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResultTableTest {

    /** 1,000 samples/s at batch 10: a median step of 10 ms. */
    private static final Trial MEASURED = Trial.measured(10, 1000, 300L << 20);

    @Test
    void showsEachMeasuredTrialsSpreadBesideItsThroughput() {
        TuningResult result = new TuningResult(
                20,
                StopReason.OUT_OF_MEMORY,
                List.of(
                        MEASURED.withStepTimeSpread(0.00042, 5),
                        Trial.measured(20, 1900, 500L << 20),
                        Trial.outOfMemory(40)),
                new SearchSettings(
                        Goal.THROUGHPUT, 1L << 30, 0.05, 10, 4096, -1, 32, 0, 1, SearchSettings.DEFAULT_TIME_BUDGET),
                Duration.ofMillis(2500),
                TuningContext.none());

        assertEquals(
                "batch size 20 (goal THROUGHPUT): stopped on out of memory; memory budget 1.0 GiB; 3 trials in 2.50 s\n"
                        + "        batch    samples/s  spread    step ms  peak memory  verdict\n"
                        + "           10        1,000   ±2.1%      10.00    300.0 MiB  ok\n"
                        + "->         20        1,900       -      10.53    500.0 MiB  ok\n"
                        + "           40            -       -          -            -  out of memory\n",
                result.toString());
    }

    @Test
    void spreadIsHalfTheInterquartileRangeOverTheMedianAsAPercentage() {
        // An IQR of 0.42 ms around a 10 ms median: the middle half lies within ±0.21 ms, ±2.1%.
        assertEquals("±2.1%", ResultTable.spread(MEASURED.withStepTimeSpread(0.00042, 5)));
        assertEquals("±25.0%", ResultTable.spread(MEASURED.withStepTimeSpread(0.005, 5)));
        assertEquals("±0.0%", ResultTable.spread(MEASURED.withStepTimeSpread(0, 5)));
        assertEquals(
                "±0.04%",
                ResultTable.spread(MEASURED.withStepTimeSpread(0.000008, 5)),
                "a small spread keeps a significant digit");
    }

    @Test
    void spreadIsEmptyWhereItIsUnknown() {
        assertEquals("", ResultTable.spread(MEASURED), "Trial.measured records no spread");
        assertEquals("", ResultTable.spread(Trial.outOfMemory(64)));
        assertEquals(
                "",
                ResultTable.spread(Trial.failed(64, "Broken.").withStepTimeSpread(0.001, 5)),
                "a failed trial has no median to compare the spread with");
    }
}
