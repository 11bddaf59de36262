package dev.autobatch.autotune.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.autobatch.autotune.TuneOptions;
import dev.autobatch.autotune.TuningContext;
import dev.autobatch.autotune.TuningResult;
import dev.autobatch.autotune.advice.LearningRateAdvice;
import dev.autobatch.autotune.report.Wording;
import dev.autobatch.core.MemoryMeasurement;
import dev.autobatch.core.Trial;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The search's rules and errors, with hand-written runners. */
class BatchSizeSearchTest {

    /**
     * A model whose step takes {@code overhead + perSample * b} seconds and peaks at {@code base +
     * perSampleBytes * b} bytes, out of memory from {@code oomAt}. Records what it was asked.
     */
    private static final class ModelRunner implements TrialRunner {
        final double overhead;
        final double perSample;
        final double base;
        final double perSampleBytes;
        final int oomAt;
        final List<Integer> asked = new ArrayList<>();

        ModelRunner(double overhead, double perSample, double base, double perSampleBytes, int oomAt) {
            this.overhead = overhead;
            this.perSample = perSample;
            this.base = base;
            this.perSampleBytes = perSampleBytes;
            this.oomAt = oomAt;
        }

        double peak(int b) {
            return base + perSampleBytes * b;
        }

        @Override
        public Trial run(int b) {
            asked.add(b);
            if (b >= oomAt) {
                return Trial.outOfMemory(b);
            }
            return Trial.measured(b, b / (overhead + perSample * b), Math.round(peak(b)));
        }
    }

    /** Throughput still doubling with the batch: nothing saturates before out of memory. */
    private static ModelRunner rising(int oomAt) {
        return new ModelRunner(1.0, 1e-6, 1e9, 1e6, oomAt);
    }

    /** Saturates around a few thousand: 2 ms a step plus 10 us a sample. */
    private static ModelRunner saturating() {
        return new ModelRunner(2e-3, 10e-6, 1e9, 1e6, Integer.MAX_VALUE);
    }

    @Test
    void defaultsAreTheDefaultGoalNoBudgetFivePercentStartTwoNoCapAndAMinuteOfTime() {
        SearchSettings settings = BatchSizeSearch.builder().build().settings();

        assertEquals(Goal.BALANCED, settings.goal());
        assertEquals(Goal.DEFAULT, settings.goal());
        assertEquals(java.time.Duration.ofSeconds(60), settings.timeBudget());
        assertEquals(SearchSettings.NO_MEMORY_BUDGET, settings.memoryBudgetBytes());
        assertTrue(!settings.hasMemoryBudget());
        assertEquals(0.05, settings.saturationThreshold());
        assertEquals(2, settings.startBatchSize());
        assertEquals(BatchSizeSearch.DEFAULT_MAX_BATCH_SIZE, settings.maxBatchSize());
        assertEquals(-1, settings.datasetSize());
    }

    @Test
    void stopsOnOutOfMemoryAndChoosesASizeThatRan() {
        TuningResult result = BatchSizeSearch.builder().build().run(rising(256));

        assertEquals(StopReason.OUT_OF_MEMORY, result.stopReason());
        assertTrue(kinds(result).contains(Verdict.Kind.OUT_OF_MEMORY), result::toString);
        assertEquals(128, result.batchSize(), "throughput still doubles, so the largest that ran is the fastest");
        assertTrue(result.chosenTrial().orElseThrow().ok());
    }

    @Test
    void neverRunsATrialPredictedAboveTheBudget() {
        ModelRunner runner = rising(Integer.MAX_VALUE);
        long budget = 1_150_000_000L; // fits 150 samples

        TuningResult result =
                BatchSizeSearch.builder().optMemoryBudgetBytes(budget).build().run(runner);

        assertEquals(StopReason.MEMORY_BUDGET, result.stopReason());
        for (int b : runner.asked) {
            assertTrue(runner.peak(b) <= budget, () -> "ran batch size " + b + " above the budget");
        }
        assertTrue(result.batchSize() >= 0.9 * 150, result::toString);
    }

    @Test
    void withoutABaselineAProbeAtHalfTheStartLearnsHowMemoryGrowsAndIsNeverChosen() {
        // Fixed memory fills 87% of the budget: proportional growth from one trial would stop at once.
        ModelRunner runner = rising(Integer.MAX_VALUE);

        TuningResult result = BatchSizeSearch.builder()
                .optMemoryBudgetBytes(1_150_000_000L)
                .build()
                .run(runner);

        assertEquals(List.of(2, 1), runner.asked.subList(0, 2));
        assertEquals(
                new Verdict(Verdict.Kind.OK, Verdict.Phase.MEMORY_PROBE, 0),
                result.verdicts().get(1));
        assertTrue(result.batchSize() >= 2, result::toString);
    }

    @Test
    void aRunnerThatReportsItsBaselineNeedsNoProbe() {
        List<Integer> asked = new ArrayList<>();
        TrialRunner runner = b -> {
            asked.add(b);
            double sps = 1000.0 * b;
            return Trial.builder(b)
                    .optSamplesPerSecond(sps)
                    .optMedianStepSeconds(b / sps)
                    .optPeakMemoryBytes(1_000_000_000L + 1_000_000L * b)
                    .optBaselineMemoryBytes(1_000_000_000L)
                    .optMemoryMeasurement(MemoryMeasurement.HOST_PEAK_RSS)
                    .build();
        };

        TuningResult result = BatchSizeSearch.builder()
                .optMemoryBudgetBytes(1_150_000_000L)
                .build()
                .run(runner);

        assertTrue(asked.stream().allMatch(b -> b >= 2), asked::toString);
        // Host memory gets a 2% noise allowance: 1.15 GB less 2% of ~1.1 GB leaves room for 128.
        assertTrue(result.batchSize() >= 0.9 * 128, result::toString);
        assertTrue(asked.stream().allMatch(b -> 1_000_000_000L + 1_000_000L * b <= 1_150_000_000L), asked::toString);
    }

    @Test
    void aTrialMeasuredAboveTheBudgetStopsTheSearchAndIsNeverChosen() {
        // Flat memory up to 64, then a jump no line through the earlier trials predicts.
        TrialRunner runner = b -> Trial.measured(b, 1000.0 * b, b <= 64 ? 1_000_000_000L : 5_000_000_000L);

        for (Goal goal : Goal.values()) {
            TuningResult result = BatchSizeSearch.builder()
                    .optGoal(goal)
                    .optMemoryBudgetBytes(2_000_000_000L)
                    .build()
                    .run(runner);

            assertEquals(StopReason.MEMORY_BUDGET, result.stopReason(), result::toString);
            assertTrue(kinds(result).contains(Verdict.Kind.OVER_BUDGET), result::toString);
            assertTrue(result.batchSize() <= 64, result::toString);
        }
    }

    @Test
    void stopsWhenThroughputSaturatesOnTwoTrialsInARow() {
        TuningResult result =
                BatchSizeSearch.builder().optGoal(Goal.THROUGHPUT).build().run(saturating());

        assertEquals(StopReason.THROUGHPUT_SATURATED, result.stopReason());
        // 2 ms + 10 us a sample: the two doublings to 32,768 gain 2.4%, and those to 16,384 gain 4.5%,
        // so the doubling must not stop at 16,384 (one pair below half the 5% threshold) but at 65,536.
        int last = kinds(result).indexOf(Verdict.Kind.THROUGHPUT_SATURATED);
        assertEquals(65_536, result.trials().get(last).batchSize(), result::toString);
        assertEquals(
                1,
                kinds(result).stream()
                        .filter(Verdict.Kind.THROUGHPUT_SATURATED::equals)
                        .count(),
                result::toString);
    }

    @Test
    void maxFitDoesNotStopOnSaturation() {
        TuningResult result = BatchSizeSearch.builder()
                .optGoal(Goal.MAX_FIT)
                .optMaxBatchSize(100_000)
                .build()
                .run(saturating());

        assertEquals(StopReason.MAX_BATCH_SIZE, result.stopReason());
        assertEquals(100_000, result.batchSize());
    }

    @Test
    void stopsAtTheUsersMaximumAfterTryingIt() {
        ModelRunner runner = rising(Integer.MAX_VALUE);

        TuningResult result =
                BatchSizeSearch.builder().optMaxBatchSize(100).build().run(runner);

        assertEquals(StopReason.MAX_BATCH_SIZE, result.stopReason());
        assertEquals(List.of(2, 4, 8, 16, 32, 64, 100), runner.asked.subList(0, 7));
        assertEquals(100, result.batchSize());
    }

    @Test
    void stopsAtAQuarterOfTheDataSet() {
        ModelRunner runner = rising(Integer.MAX_VALUE);

        TuningResult result =
                BatchSizeSearch.builder().optDatasetSize(1000).build().run(runner);

        assertEquals(StopReason.DATASET_SIZE, result.stopReason());
        assertEquals(250, runner.asked.get(runner.asked.size() - 1));
        assertEquals(250, result.settings().batchSizeCap());
        assertEquals(1000, result.settings().datasetSize());
    }

    @Test
    void theUsersMaximumBelowTheDataSetCapStopsWithMaxBatchSize() {
        TuningResult result = BatchSizeSearch.builder()
                .optDatasetSize(60_000)
                .optMaxBatchSize(1000)
                .build()
                .run(rising(Integer.MAX_VALUE));

        assertEquals(StopReason.MAX_BATCH_SIZE, result.stopReason());
        assertEquals(1000, result.batchSize());
    }

    @Test
    void theDataSetCapNeverFallsBelowTheStartSize() {
        ModelRunner runner = rising(Integer.MAX_VALUE);

        TuningResult result = BatchSizeSearch.builder()
                .optStartBatchSize(8)
                .optDatasetSize(10)
                .build()
                .run(runner);

        assertEquals(List.of(8), runner.asked);
        assertEquals(StopReason.DATASET_SIZE, result.stopReason());
        assertEquals(8, result.batchSize());
    }

    @Test
    void maxFitRefinesBetweenTheLastFitAndTheFirstOutOfMemory() {
        ModelRunner runner = rising(1000);

        TuningResult result =
                BatchSizeSearch.builder().optGoal(Goal.MAX_FIT).build().run(runner);

        assertEquals(StopReason.OUT_OF_MEMORY, result.stopReason());
        assertTrue(result.batchSize() >= 0.94 * 999 && result.batchSize() < 1000, result::toString);
        assertTrue(
                result.verdicts().contains(new Verdict(Verdict.Kind.OK, Verdict.Phase.REFINEMENT, 0)),
                result::toString);
    }

    @Test
    void aFailureAfterSuccessesEndsTheSearchAmongTheSuccesses() {
        TrialRunner runner = b ->
                b >= 64 ? Trial.failed(b, "The data loader closed.") : Trial.measured(b, 1000.0 * b, 1_000_000_000L);

        TuningResult result = BatchSizeSearch.builder().build().run(runner);

        assertEquals(StopReason.TRIAL_FAILED, result.stopReason());
        int failed = kinds(result).indexOf(Verdict.Kind.FAILED);
        assertEquals("The data loader closed.", result.trials().get(failed).failure(), result::toString);
        assertTrue(result.batchSize() < 64, result::toString);
        assertTrue(result.batchSize() <= 32);
    }

    @ParameterizedTest
    @ValueSource(longs = {0, -1})
    void rejectsABudgetThatIsNotPositive(long budget) {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> BatchSizeSearch.builder().optMemoryBudgetBytes(budget));

        assertTrue(e.getMessage().contains("got " + budget + " bytes"), e::getMessage);
    }

    @ParameterizedTest
    @ValueSource(doubles = {0, 1, Double.NaN, -0.05, 1.5})
    void rejectsAThresholdOutsideZeroToOne(double threshold) {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> BatchSizeSearch.builder().optSaturationThreshold(threshold));

        assertTrue(e.getMessage().contains("got " + threshold), e::getMessage);
        assertTrue(e.getMessage().contains("0.05"), e::getMessage);
    }

    @Test
    void rejectsAStartBelowOne() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> BatchSizeSearch.builder().optStartBatchSize(0));

        assertTrue(e.getMessage().contains("got 0"), e::getMessage);
    }

    @Test
    void rejectsAMaximumBelowTheStart() {
        BatchSizeSearch.Builder builder =
                BatchSizeSearch.builder().optStartBatchSize(8).optMaxBatchSize(4);

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, builder::build);

        assertEquals(
                "maximum batch size (optMaxBatchSize) must be at least the first batch size tried, 8, got 4; raise it, or lower optStartBatchSize",
                e.getMessage());
    }

    @Test
    void rejectsADataSetSmallerThanTheStart() {
        BatchSizeSearch.Builder builder =
                BatchSizeSearch.builder().optStartBatchSize(8).optDatasetSize(5);

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, builder::build);

        assertTrue(e.getMessage().contains("5 samples"), e::getMessage);
        assertTrue(e.getMessage().contains("optStartBatchSize"), e::getMessage);
    }

    @Test
    void wrapsAnExceptionFromTheRunnerNamingTheBatchSize() {
        RuntimeException cause = new IllegalArgumentException("shape mismatch");
        TrialRunner runner = b -> {
            if (b == 8) {
                throw cause;
            }
            return Trial.measured(b, 1000.0 * b, 1_000_000_000L);
        };

        IllegalStateException e = assertThrows(
                IllegalStateException.class,
                () -> BatchSizeSearch.builder().build().run(runner));

        assertTrue(e.getMessage().contains("batch size 8"), e::getMessage);
        assertTrue(e.getMessage().contains("shape mismatch"), e::getMessage);
        assertSame(cause, e.getCause());
    }

    @Test
    void whenEveryTrialFailsTheErrorNamesTheFirstFailure() {
        TrialRunner runner = b -> Trial.failed(b, "CUDA error " + b + ".");

        IllegalStateException e = assertThrows(
                IllegalStateException.class,
                () -> BatchSizeSearch.builder().build().run(runner));

        assertTrue(e.getMessage().contains("batch size 2 failed: CUDA error 2."), e::getMessage);
    }

    @Test
    void whenEvenTheStartRunsOutOfMemoryTheErrorSaysToLowerTheStart() {
        BatchSizeSearch search = BatchSizeSearch.builder().optStartBatchSize(16).build();

        IllegalStateException e = assertThrows(IllegalStateException.class, () -> search.run(Trial::outOfMemory));

        assertTrue(e.getMessage().contains("start batch size 16 ran out of memory"), e::getMessage);
        assertTrue(e.getMessage().contains("optStartBatchSize"), e::getMessage);
    }

    @Test
    void whenEvenTheStartIsOverTheBudgetTheErrorSaysToLowerTheStartOrRaiseTheBudget() {
        BatchSizeSearch search =
                BatchSizeSearch.builder().optMemoryBudgetBytes(1L << 30).build();

        IllegalStateException e =
                assertThrows(IllegalStateException.class, () -> search.run(b -> Trial.measured(b, 100, 2L << 30)));

        assertTrue(e.getMessage().contains("2.0 GiB"), e::getMessage);
        assertTrue(e.getMessage().contains("1.0 GiB"), e::getMessage);
        assertTrue(e.getMessage().contains("optMemoryBudgetBytes"), e::getMessage);
    }

    @Test
    void rejectsATrialReportedForAnotherBatchSize() {
        IllegalStateException e = assertThrows(
                IllegalStateException.class,
                () -> BatchSizeSearch.builder().build().run(b -> Trial.measured(b + 1, 100, 1)));

        assertTrue(e.getMessage().contains("Asked for batch size 2"), e::getMessage);
    }

    @Test
    void theListenerHearsEveryTrialWithItsVerdictInOrder() {
        List<Trial> heard = new ArrayList<>();
        List<String> verdicts = new ArrayList<>();

        TuningResult result = BatchSizeSearch.builder()
                .optListener((trial, verdict) -> {
                    heard.add(trial);
                    verdicts.add(verdict);
                })
                .build()
                .run(rising(256));

        assertEquals(result.trials(), heard);
        List<String> worded = new ArrayList<>();
        for (int i = 0; i < result.trials().size(); i++) {
            worded.add(Wording.verdict(result.trials().get(i), result.verdicts().get(i)));
        }
        assertEquals(worded, verdicts);
    }

    @Test
    void aSearchBuiltFromTuneOptionsRunsWithThemAndTheRunsFacts() {
        TuneOptions options = TuneOptions.builder()
                .optGoal(Goal.MAX_FIT)
                .optSaturationThreshold(0.1)
                .optStartBatchSize(4)
                .optMaxBatchSize(4096)
                .optReferenceBatchSize(64)
                .optTargetBatchSize(8192)
                .optTimeBudget(Duration.ofSeconds(30))
                .build();
        BatchSizeSearch search = BatchSizeSearch.builder(options)
                .optMemoryBudgetBytes(3_000_000_000L)
                .optDatasetSize(100_000)
                .optDevices(2)
                .build();
        assertEquals(
                new SearchSettings(
                        Goal.MAX_FIT, 3_000_000_000L, 0.1, 4, 4096, 100_000, 64, 8192, 2, Duration.ofSeconds(30)),
                search.settings());
        assertEquals(
                SearchSettings.of(options, SearchSettings.NO_MEMORY_BUDGET, -1, 1),
                BatchSizeSearch.builder(options).build().settings());
        assertEquals(
                BatchSizeSearch.DEFAULT_MAX_BATCH_SIZE,
                BatchSizeSearch.builder(TuneOptions.defaults())
                        .build()
                        .settings()
                        .maxBatchSize());
    }

    @Test
    void theBuilderChecksItsOptionsOnceThroughTuneOptions() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> BatchSizeSearch.builder()
                        .optStartBatchSize(16)
                        .optMaxBatchSize(8)
                        .build());
        assertEquals(
                "maximum batch size (optMaxBatchSize) must be at least the first batch size tried, 16, got 8; raise it, or lower optStartBatchSize",
                e.getMessage());
    }

    @Test
    void theResultRecordsTheSettingsItRanWith() {
        TuningResult result = BatchSizeSearch.builder()
                .optGoal(Goal.MAX_FIT)
                .optMemoryBudgetBytes(3_000_000_000L)
                .optSaturationThreshold(0.1)
                .optStartBatchSize(4)
                .optMaxBatchSize(4096)
                .optDatasetSize(100_000)
                .build()
                .run(rising(Integer.MAX_VALUE));

        assertEquals(
                new SearchSettings(
                        Goal.MAX_FIT,
                        3_000_000_000L,
                        0.1,
                        4,
                        4096,
                        100_000,
                        32,
                        0,
                        1,
                        SearchSettings.DEFAULT_TIME_BUDGET),
                result.settings());
        assertEquals(TuningContext.none(), result.context());
        assertTrue(!result.elapsed().isNegative() && result.elapsed().compareTo(Duration.ofSeconds(10)) < 0);
        assertEquals(result.trials().size(), result.verdicts().size());
    }

    @Test
    void toStringIsATableWithTheChosenRowMarked() {
        TuningResult result = BatchSizeSearch.builder()
                .optGoal(Goal.THROUGHPUT)
                .optMemoryBudgetBytes(2L << 30)
                .build()
                .run(saturating());

        String table = result.toString();

        assertTrue(table.startsWith("batch size " + result.batchSize() + " (goal THROUGHPUT)"), table);
        assertTrue(table.contains("memory budget 2.0 GiB"), table);
        String chosenRow =
                table.lines().filter(l -> l.startsWith("->")).findFirst().orElseThrow();
        assertTrue(chosenRow.contains(" " + result.batchSize() + " "), table);
        assertTrue(chosenRow.contains("MiB") || chosenRow.contains("GiB"), table);
        assertEquals(1, table.lines().filter(l -> l.startsWith("->")).count(), table);
        assertEquals(result.trials().size() + 2, table.lines().count(), table);
    }

    @Test
    void theSearchBuildsTheWholeResultWithTheContextAndAdviceItWasGiven() {
        TuningContext context =
                new TuningContext("mlp", "cpu()", TuningContext.none().hardware(), "given: 2.0 GiB", 2, 5);
        List<Integer> advisedFor = new ArrayList<>();

        TuningResult result = BatchSizeSearch.builder()
                .optGoal(Goal.THROUGHPUT)
                .optMemoryBudgetBytes(2L << 30)
                .optContext(context)
                .optLearningRateAdvisor(global -> {
                    advisedFor.add(global);
                    return LearningRateAdvice.advise(LearningRateAdvice.Rule.LINEAR, "Sgd", 32, 0.1, "given", global);
                })
                .build()
                .run(saturating());

        assertEquals(context, result.context());
        assertEquals(List.of(result.accumulation().globalBatchSize()), advisedFor);
        assertEquals(
                result.accumulation().globalBatchSize(), result.learningRate().batchSize());
        assertTrue(result.learningRate().isAdvised(), result::toString);
        assertEquals(TuningResult.Source.MEASURED, result.source());
        assertEquals(2L << 30, result.memoryBudgetBytes());
        assertEquals("given: 2.0 GiB", result.memoryBudgetBasis());
    }

    @Test
    void aBareSearchHasNoContextNoAdviceAndNoBudget() {
        TuningResult result = BatchSizeSearch.builder().build().run(rising(64));

        assertEquals(TuningContext.none(), result.context());
        assertFalse(result.learningRate().isAdvised());
        assertEquals(-1, result.memoryBudgetBytes());
    }

    @Test
    void aResultBuiltWithoutVerdictsDerivesThemFromTheTrials() {
        List<Trial> trials = List.of(Trial.measured(2, 10, 1), Trial.outOfMemory(4), Trial.failed(8, "Broken."));

        TuningResult result =
                new TuningResult(2, StopReason.OUT_OF_MEMORY, trials, null, Duration.ZERO, TuningContext.none());

        assertEquals(
                List.of(Verdict.Kind.OK, Verdict.Kind.OUT_OF_MEMORY, Verdict.Kind.FAILED),
                kinds(result),
                result::toString);
        assertEquals(Verdict.Phase.DOUBLING, result.verdicts().get(2).phase());
        assertNotEquals("", result.toString());
    }

    private static List<Verdict.Kind> kinds(TuningResult result) {
        return result.verdicts().stream().map(Verdict::kind).toList();
    }
}
