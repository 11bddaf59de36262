package dev.autobatch.autotune.advice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.autobatch.autotune.TuneOptions;
import dev.autobatch.autotune.TuningResult;
import dev.autobatch.autotune.search.BatchSizeSearch;
import dev.autobatch.autotune.search.TrialRunner;
import dev.autobatch.core.Trial;
import org.junit.jupiter.api.Test;

class AccumulationPlanTest {

    @Test
    void aTargetThatFitsIsTrainedAsItIs() {
        AccumulationPlan plan = AccumulationPlan.plan(1000, 256, 2048, 1);

        assertEquals(new AccumulationPlan(1000, 1, 1, 1000), plan);
        assertFalse(plan.accumulates());
    }

    @Test
    void aTargetAboveWhatFitsIsSplitIntoEqualMicroBatchesOfAtMostTheTunedSize() {
        AccumulationPlan plan = AccumulationPlan.plan(4096, 300, 600, 1);

        // 4,096 / 300 needs at least 14 steps; 16 is the first from 14 that divides 4,096.
        assertEquals(new AccumulationPlan(256, 16, 1, 4096), plan);
        assertEquals(4096, plan.globalBatchSize());
        assertTrue(plan.accumulates());
        assertEquals(
                "micro-batch 256 x 1 device x 16 accumulation steps = global batch 4,096 (target 4,096)",
                plan.describe());
    }

    @Test
    void aPrimeTargetIsReachedWithTheFewestStepsAndAFewSamplesMore() {
        AccumulationPlan plan = AccumulationPlan.plan(1009, 256, 300, 1);

        assertEquals(4, plan.accumulationSteps());
        assertEquals(253, plan.microBatchSize());
        assertEquals(1012, plan.globalBatchSize());
    }

    @Test
    void devicesShareTheTargetAndTheMicroBatchNeverExceedsWhatFits() {
        AccumulationPlan plan = AccumulationPlan.plan(8192, 4096, 512, 4);

        assertEquals(4, plan.devices());
        assertEquals(new AccumulationPlan(512, 4, 4, 8192), plan);
        assertEquals(8192, plan.globalBatchSize());
    }

    @Test
    void theSearchPlansATargetAboveTheBudgetWithTheChosenSizeAsMicroBatch() {
        // Memory: 1 GB plus 1 MB a sample, budget 1.5 GB: about 450 fits, the target 4,096 does not.
        TrialRunner runner = b -> Trial.measured(b, 1000.0 * b / (1 + b / 64.0), 1_000_000_000L + 1_000_000L * b);

        TuningResult result = BatchSizeSearch.builder()
                .optMemoryBudgetBytes(1_500_000_000L)
                .optTargetBatchSize(4096)
                .build()
                .run(runner);

        AccumulationPlan plan = result.accumulation();
        assertTrue(plan.accumulates(), result::toString);
        assertTrue(plan.microBatchSize() <= result.batchSize(), result::toString);
        assertEquals(4096, plan.globalBatchSize(), result::toString);
        assertEquals(4096, result.settings().targetBatchSize());
        assertTrue(result.toString().contains("plan: micro-batch"), result::toString);
    }

    @Test
    void theSearchPlansATargetPredictedToFitWithoutAccumulation() {
        // Throughput saturates early, but memory leaves room for the target.
        TrialRunner runner = b -> Trial.measured(b, 1000.0 * b / (1 + b / 16.0), 1_000_000_000L + 1_000L * b);

        TuningResult result = BatchSizeSearch.builder()
                .optMemoryBudgetBytes(2_000_000_000L)
                .optTargetBatchSize(4096)
                .build()
                .run(runner);

        assertTrue(result.batchSize() < 4096, result::toString);
        assertEquals(new AccumulationPlan(4096, 1, 1, 4096), result.accumulation(), result::toString);
    }

    @Test
    void withoutATargetThePlanIsTheChosenSizeOnEachDevice() {
        TuningResult result = BatchSizeSearch.builder()
                .optDevices(2)
                .optMaxBatchSize(64)
                .build()
                .run(b -> Trial.measured(b, 100.0 * b, -1));

        assertEquals(AccumulationPlan.none(result.batchSize(), 2), result.accumulation());
        assertEquals(2 * result.batchSize(), result.accumulation().globalBatchSize());
    }

    @Test
    void rejectsBadInputWithMessagesThatNameTheValue() {
        IllegalArgumentException target = assertThrows(
                IllegalArgumentException.class, () -> TuneOptions.builder().optTargetBatchSize(0));
        assertTrue(target.getMessage().contains("got 0"), target.getMessage());
        IllegalArgumentException steps =
                assertThrows(IllegalArgumentException.class, () -> new AccumulationPlan(8, 0, 1, 0));
        assertTrue(steps.getMessage().contains("got 0"), steps.getMessage());
        IllegalArgumentException devices = assertThrows(
                IllegalArgumentException.class, () -> BatchSizeSearch.builder().optDevices(0));
        assertTrue(devices.getMessage().contains("got 0"), devices.getMessage());
    }
}
