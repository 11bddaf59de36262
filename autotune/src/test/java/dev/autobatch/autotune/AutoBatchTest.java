package dev.autobatch.autotune;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Parameter;
import ai.djl.training.dataset.ArrayDataset;
import ai.djl.util.Pair;
import dev.autobatch.autotune.budget.MemoryBudgetException;
import dev.autobatch.autotune.search.Goal;
import dev.autobatch.autotune.search.StopReason;
import dev.autobatch.core.DjlTrialRunner;
import dev.autobatch.core.TestModels;
import dev.autobatch.core.Trial;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real CPU tunings of the classic 784-128-10 MLP (SGD) on data of Fashion-MNIST's shape. */
class AutoBatchTest {

    @Test
    void tunesARealMlpReportsWhyItStoppedAndLeavesTheParametersUnchanged(@TempDir Path reports) throws Exception {
        try (Model model = TestModels.model("mlp-784-128-10", TestModels.mlp(128, 10))) {
            ArrayDataset data = TestModels.randomData(model.getNDManager(), 8192, 784, 10);
            List<Trial> heard = new ArrayList<>();
            TuneOptions options = TuneOptions.builder()
                    .optTrial(t -> t.optMeasuredSteps(3))
                    .optCache(false)
                    .optListener((trial, verdict) -> heard.add(trial))
                    .optReportDirectory(reports)
                    .build();
            // A model with weights keeps them exactly (one without is left without, see core).
            model.getBlock()
                    .initialize(
                            model.getNDManager(),
                            ai.djl.ndarray.types.DataType.FLOAT32,
                            new ai.djl.ndarray.types.Shape(1, 784));
            List<byte[]> before = parameters(model);
            TuningResult result = AutoBatch.tune(model, data, options);

            assertParametersEqual(before, model);
            assertTrue(result.batchSize() >= 2 && result.batchSize() <= 8192 / 4, result::toString);
            assertTrue(result.chosenTrial().isPresent(), result::toString);
            assertTrue(result.trials().stream().anyMatch(Trial::ok));
            assertEquals(result.trials().size(), result.verdicts().size());
            assertEquals("mlp-784-128-10", result.context().modelName());
            assertEquals("cpu()", result.context().device());
            assertTrue(
                    result.context().budgetBasis().contains("available host memory"),
                    result.context().budgetBasis());
            assertTrue(result.settings().memoryBudgetBytes() > 0);
            assertTrue(result.elapsed().toNanos() > 0);
            assertEquals(result.trials().size(), heard.size(), "the listener hears every trial");
            assertTrue(Files.size(reports.resolve("report.json")) > 0);
            String stopped = result.stopReason()
                    .name()
                    .toLowerCase(java.util.Locale.ROOT)
                    .replace('_', ' ');
            assertTrue(
                    result.toString()
                            .startsWith("batch size " + result.batchSize() + " (goal "
                                    + result.settings().goal() + "): stopped on " + stopped + ";"),
                    result::toString);
        }
    }

    @Test
    void aSmallBudgetStopsOnTheBudgetWithoutRunningAnOverBudgetTrial() {
        try (Model model = TestModels.model("mlp", TestModels.mlp(128, 10))) {
            ArrayDataset data = TestModels.randomData(model.getNDManager(), 60000, 784, 10);
            // Load the engine and its kernels first, so what the process holds is its steady state.
            try (DjlTrialRunner warm =
                    DjlTrialRunner.builder().setModel(model).setDataset(data).build()) {
                assertTrue(warm.run(64).ok());
            }
            // 24 MiB above that: a batch of 4,096 images alone is 12.25 MiB and training needs
            // several such copies, so the budget, not the data, ends the search.
            long budget = residentBytes() + (24L << 20);
            TuningResult result = AutoBatch.tune(
                    model,
                    data,
                    // MAX_FIT: throughput saturation, which a loaded machine's noise can
                    // trigger early, plays no part, so the budget is what ends the search.
                    TuneOptions.builder()
                            .optGoal(Goal.MAX_FIT)
                            .optMemoryBudgetBytes(budget)
                            .optTrial(t -> t.optMeasuredSteps(2))
                            .optCache(false)
                            .build());
            assertEquals(StopReason.MEMORY_BUDGET, result.stopReason(), result::toString);
            for (Trial trial : result.trials()) {
                if (trial.ok()) {
                    assertTrue(trial.peakMemoryBytes() <= budget, () -> "trial over budget: " + trial + "\n" + result);
                }
            }
            assertEquals(budget, result.settings().memoryBudgetBytes());
        }
    }

    @Test
    void noTrialRunsWhenTheProcessAloneHoldsMoreThanTheBudget() {
        try (Model model = TestModels.model("mlp", TestModels.mlp(16, 10))) {
            ArrayDataset data = TestModels.randomData(model.getNDManager(), 256, 784, 10);
            List<Trial> heard = new ArrayList<>();
            TuneOptions options = TuneOptions.builder()
                    .optMemoryBudgetBytes(1L << 20)
                    .optCache(false)
                    .optListener((trial, verdict) -> heard.add(trial))
                    .build();

            MemoryBudgetException e =
                    assertThrows(MemoryBudgetException.class, () -> AutoBatch.tune(model, data, options));

            assertEquals(List.of(), heard, "no trial ran");
            assertTrue(e.getMessage().startsWith("Before any trial, this process already holds "), e.getMessage());
            assertTrue(
                    e.getMessage().contains("above the memory budget of 1.0 MiB (given: 1.0 MiB (of "), e.getMessage());
            assertTrue(e.getMessage().contains("Give a larger budget with optMemoryBudgetBytes"), e.getMessage());
            String cli = e.message(new MemoryBudgetException.Words("--budget", null, "--limit N"));
            assertTrue(cli.contains("Give a larger budget with --budget (at most the "), cli);
            assertFalse(cli.contains("opt"), cli);
        }
    }

    @Test
    void everyTrialFailingNamesTheFirstFailure() {
        try (Model model = TestModels.model("always-failing", TestModels.mlpWith(16, 10, AutoBatchTest::refuse))) {
            ArrayDataset data = TestModels.randomData(model.getNDManager(), 256, 784, 10);
            IllegalStateException e = assertThrows(
                    IllegalStateException.class,
                    () -> AutoBatch.tune(
                            model,
                            data,
                            TuneOptions.builder().optStartBatchSize(4).build()));
            assertTrue(e.getMessage().contains("batch size 4"), e.getMessage());
            assertTrue(e.getMessage().contains("this block refuses every batch"), e.getMessage());
        }
    }

    @Test
    void rejectsBadInputWithMessagesThatNameTheValueAndTheFix() {
        assertMessage(
                "memory budget must be positive, got 0",
                () -> TuneOptions.builder().optMemoryBudgetBytes(0));
        assertMessage(
                "memory budget must be positive, got -5",
                () -> TuneOptions.builder().optMemoryBudgetBytes(-5));
        assertMessage(
                "saturation threshold must be in (0, 1), got 0.0",
                () -> TuneOptions.builder().optSaturationThreshold(0));
        assertMessage(
                "saturation threshold must be in (0, 1), got 1.0",
                () -> TuneOptions.builder().optSaturationThreshold(1));
        assertMessage(
                "maximum batch size (optMaxBatchSize) must be at least the first batch size tried, 16, got 8; raise it, or lower optStartBatchSize",
                () -> TuneOptions.builder()
                        .optStartBatchSize(16)
                        .optMaxBatchSize(8)
                        .build());
        assertMessage(
                "the time budget must be positive, got PT-1S; 60 s is the default",
                () -> TuneOptions.builder().optTimeBudget(java.time.Duration.ofSeconds(-1)));
        assertMessage(
                "maximum trial seconds must be positive and finite, got NaN; 10 is the default",
                () -> TuneOptions.builder().optTrial(t -> t.optMaxTrialSeconds(Double.NaN)));
        try (Model model = TestModels.model("mlp", TestModels.mlp(16, 10))) {
            ArrayDataset empty = new ArrayDataset.Builder()
                    .setData(model.getNDManager().zeros(new ai.djl.ndarray.types.Shape(0, 784)))
                    .optLabels(model.getNDManager().zeros(new ai.djl.ndarray.types.Shape(0)))
                    .setSampling(1, false)
                    .build();
            assertMessage("the dataset is empty", () -> AutoBatch.tune(model, empty));
            ArrayDataset tiny = TestModels.randomData(model.getNDManager(), 8, 784, 10);
            assertMessage(
                    "start batch size 16 is above the dataset's 8 samples",
                    () -> AutoBatch.tune(
                            model,
                            tiny,
                            TuneOptions.builder().optStartBatchSize(16).build()));
        }
        try (Model noBlock = Model.newInstance("no-block")) {
            ArrayDataset data = TestModels.randomData(noBlock.getNDManager(), 8, 784, 10);
            assertMessage("has no block", () -> AutoBatch.tune(noBlock, data));
        }
    }

    private static NDList refuse(NDList input) {
        NDArray x = input.singletonOrThrow();
        if (x.getShape().get(0) > 1) {
            throw new IllegalStateException("this block refuses every batch");
        }
        return input;
    }

    private static void assertMessage(String expected, org.junit.jupiter.api.function.Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(
                e.getMessage().contains(expected), () -> "message '" + e.getMessage() + "' lacks '" + expected + "'");
    }

    private static long residentBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
                }
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        throw new IllegalStateException("no VmRSS in /proc/self/status");
    }

    private static List<byte[]> parameters(Model model) {
        List<byte[]> values = new ArrayList<>();
        for (Pair<String, Parameter> pair : model.getBlock().getParameters()) {
            values.add(pair.getValue().getArray().toByteArray());
        }
        return values;
    }

    private static void assertParametersEqual(List<byte[]> expected, Model model) {
        List<byte[]> actual = parameters(model);
        assertEquals(expected.size(), actual.size());
        for (int i = 0; i < expected.size(); i++) {
            assertArrayEquals(expected.get(i), actual.get(i), "parameter " + i + " changed");
        }
        assertFalse(actual.isEmpty());
    }
}
