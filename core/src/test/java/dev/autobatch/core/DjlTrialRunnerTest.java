package dev.autobatch.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.ArrayDataset;
import ai.djl.training.evaluator.Accuracy;
import ai.djl.training.listener.SaveModelTrainingListener;
import ai.djl.training.listener.TrainingListener;
import ai.djl.training.listener.TrainingListenerAdapter;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.util.Pair;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real DJL training on CPU. */
class DjlTrialRunnerTest {

    @Test
    void measuredTrialReportsPositiveThroughputAndPeakAtOrAboveBaseline() {
        try (Model model = TestModels.model("mlp", TestModels.mlp(128, 10))) {
            ArrayDataset data = TestModels.randomData(model.getNDManager(), 512, 784, 10);
            try (DjlTrialRunner runner = quick(model, data).build()) {
                Trial trial = runner.run(64);
                assertTrue(trial.ok(), () -> "trial failed: " + trial);
                assertEquals(64, trial.batchSize());
                assertTrue(trial.samplesPerSecond() > 0, () -> "throughput " + trial.samplesPerSecond());
                assertEquals(64 / trial.medianStepSeconds(), trial.samplesPerSecond(), 1e-6);
                assertEquals(MemoryMeasurement.HOST_PEAK_RSS, trial.memoryMeasurement());
                assertTrue(trial.baselineMemoryBytes() > 0, () -> "baseline " + trial.baselineMemoryBytes());
                assertTrue(
                        trial.peakMemoryBytes() >= trial.baselineMemoryBytes(),
                        () -> "peak " + trial.peakMemoryBytes() + " below baseline " + trial.baselineMemoryBytes());
                assertTrue(Double.isNaN(trial.gradientNormSquared()), "no gradient norm unless asked");
                assertTrue(Double.isNaN(trial.gradientNormSquaredStdDev()), "no spread unless asked");
                assertEquals(1, runner.deviceCount());
                assertEquals(new ai.djl.ndarray.types.Shape(1, 784), runner.inputShapes()[0]);
            }
        }
    }

    @Test
    void theConfigurationsTrainingListenersNeverRunAndWriteNothing(@TempDir Path checkpoints) throws Exception {
        List<String> heard = new ArrayList<>();
        TrainingListener recording = new TrainingListenerAdapter() {
            @Override
            public void onTrainingBegin(Trainer trainer) {
                heard.add("begin");
            }

            @Override
            public void onTrainingBatch(Trainer trainer, BatchData batchData) {
                heard.add("batch");
            }

            @Override
            public void onTrainingEnd(Trainer trainer) {
                heard.add("end");
            }
        };
        // As DJL's TrainMnist: a checkpoint on training end whose callback reads a validation result.
        SaveModelTrainingListener save = new SaveModelTrainingListener(checkpoints.toString());
        save.setSaveModelCallback(trainer -> {
            heard.add("save callback");
            trainer.getTrainingResult().getValidateEvaluation("Accuracy").floatValue();
        });
        DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                .addEvaluator(new Accuracy())
                .addTrainingListeners(recording, save);
        try (Model model = TestModels.model("mlp", TestModels.mlp(16, 10))) {
            ArrayDataset data = TestModels.randomData(model.getNDManager(), 256, 784, 10);
            try (DjlTrialRunner runner = quick(
                            model, data, TrialOptions.builder().optTrainingConfig(config))
                    .build()) {
                assertTrue(runner.run(8).ok());
                assertTrue(runner.run(16).ok());
            }
        }

        assertEquals(List.of(), heard);
        try (var files = Files.list(checkpoints)) {
            assertEquals(List.of(), files.toList(), "no checkpoint may be written");
        }
    }

    @Test
    void fastModelMeasuresAtLeastTheMinimumTimeAndMoreStepsThanTheMinimum() {
        try (Model model = TestModels.model("mlp", TestModels.mlp(16, 10))) {
            ArrayDataset data = TestModels.randomData(model.getNDManager(), 512, 784, 10);
            try (DjlTrialRunner runner = DjlTrialRunner.builder()
                    .setModel(model)
                    .setDataset(data)
                    .optTrialOptions(TrialOptions.builder()
                            .optMinMeasuredSeconds(1)
                            .optMaxTrialSeconds(5)
                            .build())
                    .build()) {
                long start = System.nanoTime();
                Trial trial = runner.run(8);
                double wall = (System.nanoTime() - start) / 1e9;
                assertTrue(trial.ok(), () -> "trial failed: " + trial);
                // Steps of about a millisecond (a tenth of a second on a machine under heavy load):
                // five of them take far less than the second to measure.
                assertTrue(trial.measuredSteps() > 5, () -> "measured only " + trial.measuredSteps() + " steps");
                assertTrue(wall >= 1, () -> "the trial took " + wall + " s, less than its 1 s of measuring");
                assertTrue(wall < 30, () -> "the trial took " + wall + " s despite its 5 s cap");
                assertTrue(trial.stepSecondsIqr() >= 0 && Double.isFinite(trial.stepSecondsIqr()), trial::toString);
                assertTrue(trial.samplesPerSecondLow() <= trial.samplesPerSecond(), trial::toString);
                assertTrue(
                        trial.samplesPerSecond() <= trial.samplesPerSecondHigh()
                                || Double.isNaN(trial.samplesPerSecondHigh()),
                        trial::toString);
            }
        }
    }

    @Test
    void trialCapBoundsWallTimeAndWinsOverTheMinimums() {
        try (Model model = TestModels.model("mlp", TestModels.mlp(16, 10))) {
            ArrayDataset data = TestModels.randomData(model.getNDManager(), 512, 784, 10);
            try (DjlTrialRunner runner = DjlTrialRunner.builder()
                    .setModel(model)
                    .setDataset(data)
                    .optTrialOptions(TrialOptions.builder()
                            .optMeasuredSteps(1_000_000)
                            .optMinMeasuredSeconds(60)
                            .optMaxTrialSeconds(0.3)
                            .build())
                    .build()) {
                long start = System.nanoTime();
                Trial trial = runner.run(8);
                double wall = (System.nanoTime() - start) / 1e9;
                assertTrue(trial.ok(), () -> "trial failed: " + trial);
                assertTrue(wall < 3, () -> "the trial took " + wall + " s under a 0.3 s cap");
                assertTrue(trial.measuredSteps() >= 1 && trial.measuredSteps() < 1_000_000, trial::toString);
                assertTrue(trial.medianStepSeconds() > 0, trial::toString);
            }
        }
    }

    @Test
    void measuredStepsAndTheirSpreadAreRecordedWithTheMinimumAtLeast() {
        try (Model model = TestModels.model("mlp", TestModels.mlp(32, 10))) {
            ArrayDataset data = TestModels.randomData(model.getNDManager(), 512, 784, 10);
            try (DjlTrialRunner runner = DjlTrialRunner.builder()
                    .setModel(model)
                    .setDataset(data)
                    .optTrialOptions(TrialOptions.builder()
                            .optMeasuredSteps(12)
                            .optMaxTrialSeconds(3)
                            .build())
                    .build()) {
                for (int size : new int[] {4, 64}) {
                    Trial trial = runner.run(size);
                    assertTrue(trial.ok(), () -> "trial failed: " + trial);
                    assertTrue(trial.measuredSteps() >= 12, trial::toString);
                    assertTrue(trial.stepSecondsIqr() >= 0, trial::toString);
                    assertTrue(trial.relativeSpread() >= 0, trial::toString);
                }
            }
        }
    }

    @Test
    void longTrialReportsItsProgressAndShortOneDoesNot() {
        try (Model model = TestModels.model("mlp", TestModels.mlp(16, 10))) {
            ArrayDataset data = TestModels.randomData(model.getNDManager(), 512, 784, 10);
            List<String> heard = new ArrayList<>();
            TrialProgress listener = (batchSize, phase, steps, elapsed) -> {
                assertEquals(8, batchSize);
                assertTrue(phase.equals(TrialProgress.WARM_UP) || phase.equals(TrialProgress.MEASURING), phase);
                assertTrue(steps >= 1, "steps " + steps);
                assertTrue(elapsed >= DjlTrialRunner.PROGRESS_INTERVAL_SECONDS, "reported at " + elapsed + " s");
                heard.add(phase + " " + steps + " " + elapsed);
            };
            try (DjlTrialRunner runner = DjlTrialRunner.builder()
                    .setModel(model)
                    .setDataset(data)
                    .optTrialOptions(TrialOptions.builder()
                            .optMinMeasuredSeconds(2.5)
                            .optMaxTrialSeconds(5)
                            .build())
                    .optProgress(listener)
                    .build()) {
                assertTrue(runner.run(8).ok());
                assertFalse(heard.isEmpty(), "a trial of over 2.5 s reported nothing");
                assertTrue(heard.get(heard.size() - 1).startsWith(TrialProgress.MEASURING), heard::toString);
            }
            heard.clear();
            try (DjlTrialRunner runner = DjlTrialRunner.builder()
                    .setModel(model)
                    .setDataset(data)
                    .optTrialOptions(
                            TrialOptions.builder().optMaxTrialSeconds(1).build())
                    .optProgress(listener)
                    .build()) {
                assertTrue(runner.run(8).ok());
                assertEquals(List.of(), heard, "a trial capped at 1 s reports nothing");
            }
        }
    }

    @Test
    void peakMemoryGrowsWithBatchSizeWhenActivationsDominate() {
        // Tiling each 784-float sample 32 times: 1,024 samples hold 98 MiB of activations a copy,
        // 64 hold 6 MiB, while the parameters are 1 MiB.
        try (Model model = TestModels.model("tiled", TestModels.tiled(32, 10))) {
            ArrayDataset data = TestModels.randomData(model.getNDManager(), 2048, 784, 10);
            try (DjlTrialRunner runner = quick(
                            model,
                            data,
                            TrialOptions.builder().optWarmupSteps(1).optMeasuredSteps(2))
                    .build()) {
                Trial small = runner.run(64);
                Trial large = runner.run(1024);
                assertTrue(small.ok() && large.ok(), () -> small + " / " + large);
                long growth = large.peakMemoryBytes() - small.peakMemoryBytes();
                assertTrue(
                        growth > 64L << 20,
                        () -> "peak above baseline grew by only " + growth + " bytes: " + small + " / " + large);
            }
        }
    }

    @Test
    void recordsGradientNormWhenAsked() {
        try (Model model = TestModels.model("mlp", TestModels.mlp(32, 10))) {
            ArrayDataset data = TestModels.randomData(model.getNDManager(), 256, 784, 10);
            try (DjlTrialRunner runner = DjlTrialRunner.builder()
                    .setModel(model)
                    .setDataset(data)
                    .optRecordGradientNorm(true)
                    .build()) {
                Trial trial = runner.run(16);
                assertTrue(trial.gradientNormSquared() > 0, () -> "gradient norm " + trial.gradientNormSquared());
                assertTrue(trial.hasGradientNorm());
                // The first 16 measured steps, on 16 different batches: the squared norm varies between them.
                assertTrue(trial.gradientNormSquaredStdDev() > 0, () -> "spread " + trial.gradientNormSquaredStdDev());
                assertEquals(1, trial.accumulationSteps());
            }
        }
    }

    @Test
    void parametersAreBitIdenticalAfterMeasuredOutOfMemoryAndFailedTrials() {
        try (Model model = TestModels.model("mixed", TestModels.mlpWith(2, 10, TestModelsCubic::cubeOrFail))) {
            ArrayDataset data = TestModels.randomData(model.getNDManager(), 16384, 8, 10);
            List<byte[]> before = initialisedParameterBytes(model, 8);
            try (DjlTrialRunner runner = quick(model, data).build()) {
                assertParametersEqual(before, model);
                assertTrue(runner.run(32).ok());
                assertParametersEqual(before, model);
                assertTrue(runner.run(16384).outOfMemory());
                assertParametersEqual(before, model);
                assertTrue(runner.run(TestModelsCubic.FAILING_BATCH_SIZE).failed());
                assertParametersEqual(before, model);
                assertTrue(runner.run(32).ok(), "the runner stays usable");
                assertParametersEqual(before, model);
            }
            assertParametersEqual(before, model);
        }
    }

    @Test
    void closeRestoresParametersChangedAfterTheLastTrial() {
        try (Model model = TestModels.model("mlp", TestModels.mlp(8, 10))) {
            ArrayDataset data = TestModels.randomData(model.getNDManager(), 64, 784, 10);
            List<byte[]> before = initialisedParameterBytes(model, 784);
            DjlTrialRunner runner = quick(model, data).build();
            assertTrue(runner.run(8).ok());
            for (Pair<String, Parameter> pair : model.getBlock().getParameters()) {
                pair.getValue().getArray().addi(1);
            }
            assertFalse(sameBytes(before, parameterBytes(model)), "the parameters were changed");
            runner.close();
            assertParametersEqual(before, model);
        }
    }

    @Test
    void realOutOfMemoryIsReportedAndASmallerTrialThenSucceeds() {
        try (Model model = TestModels.model("cubic", TestModels.mlpWith(2, 10, TestModelsCubic::cubeOrFail))) {
            ArrayDataset data = TestModels.randomData(model.getNDManager(), 16384, 8, 10);
            try (DjlTrialRunner runner = quick(model, data).build()) {
                // 16,384^3 x 2 floats is 128 TiB: PyTorch refuses at once, the kernel never steps in.
                Trial huge = runner.run(16384);
                assertTrue(huge.outOfMemory(), () -> "expected out of memory, got " + huge);
                assertFalse(huge.failed());
                Trial smaller = runner.run(64);
                assertTrue(smaller.ok(), () -> "expected success after out of memory, got " + smaller);
            }
        }
    }

    @Test
    void otherFailuresCarryTheirMessageAndAreNotOutOfMemory() {
        try (Model model = TestModels.model("cubic", TestModels.mlpWith(2, 10, TestModelsCubic::cubeOrFail))) {
            ArrayDataset data = TestModels.randomData(model.getNDManager(), 256, 8, 10);
            try (DjlTrialRunner runner = quick(model, data).build()) {
                Trial trial = runner.run(TestModelsCubic.FAILING_BATCH_SIZE);
                assertTrue(trial.failed(), () -> "expected a failure, got " + trial);
                assertFalse(trial.outOfMemory());
                assertTrue(trial.failure().contains(TestModelsCubic.FAILURE), trial.failure());
            }
        }
    }

    @Test
    void lossThatBecomesNotFiniteFailsTheTrialAndSuggestsALowerLearningRate() {
        try (Model model = TestModels.model("mlp", TestModels.mlp(64, 10))) {
            ArrayDataset data = TestModels.randomData(model.getNDManager(), 512, 784, 10);
            DefaultTrainingConfig explosive = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                    .optOptimizer(Optimizer.sgd()
                            .setLearningRateTracker(Tracker.fixed(1e30f))
                            .build());
            try (DjlTrialRunner runner = quick(
                            model, data, TrialOptions.builder().optTrainingConfig(explosive))
                    .build()) {
                List<byte[]> before = parameterBytes(model);
                Trial trial = runner.run(32);
                assertTrue(trial.failed(), () -> "expected a failed trial, got " + trial);
                assertTrue(trial.failure().contains("batch size 32"), trial.failure());
                assertTrue(trial.failure().contains("learning rate"), trial.failure());
                assertParametersEqual(before, model);
            }
        }
    }

    @Test
    void rejectsBadInputWithMessagesThatNameTheValue() {
        try (Model model = TestModels.model("mlp", TestModels.mlp(16, 10));
                Model empty = Model.newInstance("no-block")) {
            ArrayDataset data = TestModels.randomData(model.getNDManager(), 100, 784, 10);
            try (DjlTrialRunner runner =
                    DjlTrialRunner.builder().setModel(model).setDataset(data).build()) {
                assertMessage("got 0", () -> runner.run(0));
                assertMessage("100 samples, fewer than one batch of 101", () -> runner.run(101));
            }
            assertMessage(
                    "has no block",
                    () -> DjlTrialRunner.builder()
                            .setModel(empty)
                            .setDataset(data)
                            .build());
            assertThrows(
                    NullPointerException.class, () -> DjlTrialRunner.builder().optProgress(null));
        }
    }

    @Test
    void closedRunnerRefusesTrials() {
        try (Model model = TestModels.model("mlp", TestModels.mlp(16, 10))) {
            ArrayDataset data = TestModels.randomData(model.getNDManager(), 64, 784, 10);
            DjlTrialRunner runner =
                    DjlTrialRunner.builder().setModel(model).setDataset(data).build();
            runner.close();
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> runner.run(8));
            assertTrue(e.getMessage().contains("closed"), e.getMessage());
        }
    }

    /** A runner whose trials are capped at 1 s: for tests that are not about timing. */
    private static DjlTrialRunner.Builder quick(Model model, ArrayDataset data) {
        return quick(model, data, TrialOptions.builder());
    }

    private static DjlTrialRunner.Builder quick(Model model, ArrayDataset data, TrialOptions.Builder options) {
        return DjlTrialRunner.builder()
                .setModel(model)
                .setDataset(data)
                .optTrialOptions(options.optMaxTrialSeconds(1).build());
    }

    private static void assertMessage(String expected, org.junit.jupiter.api.function.Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(
                e.getMessage().contains(expected), () -> "message '" + e.getMessage() + "' lacks '" + expected + "'");
    }

    private static List<byte[]> parameterBytes(Model model) {
        List<byte[]> values = new ArrayList<>();
        for (Pair<String, Parameter> pair : model.getBlock().getParameters()) {
            values.add(pair.getValue().getArray().toByteArray());
        }
        return values;
    }

    /**
     * Initialises the model's parameters as a user would before handing it to a runner, and returns
     * their bytes: the runner must leave them exactly so.
     */
    private static List<byte[]> initialisedParameterBytes(Model model, int features) {
        model.getBlock().initialize(model.getNDManager(), DataType.FLOAT32, new Shape(1, features));
        return parameterBytes(model);
    }

    private static boolean sameBytes(List<byte[]> expected, List<byte[]> actual) {
        if (expected.size() != actual.size()) {
            return false;
        }
        for (int i = 0; i < expected.size(); i++) {
            if (!java.util.Arrays.equals(expected.get(i), actual.get(i))) {
                return false;
            }
        }
        return true;
    }

    private static void assertParametersEqual(List<byte[]> expected, Model model) {
        List<byte[]> actual = parameterBytes(model);
        assertEquals(expected.size(), actual.size());
        for (int i = 0; i < expected.size(); i++) {
            assertTrue(java.util.Arrays.equals(expected.get(i), actual.get(i)), "parameter " + i + " changed");
        }
    }

    /** Hidden activations that grow with the cube of the batch, and fail at one batch size. */
    static final class TestModelsCubic {
        static final int FAILING_BATCH_SIZE = 7;
        static final String FAILURE = "this block refuses batches of 7";

        private TestModelsCubic() {}

        static NDList cubeOrFail(NDList input) {
            NDArray x = input.singletonOrThrow();
            long b = x.getShape().get(0);
            long f = x.getShape().get(1);
            if (b == FAILING_BATCH_SIZE) {
                throw new IllegalStateException(FAILURE);
            }
            NDArray cube = x.reshape(new Shape(b, 1, 1, f))
                    .add(x.reshape(new Shape(1, b, 1, f)))
                    .add(x.reshape(new Shape(1, 1, b, f)));
            return new NDList(Activation.relu(cube.mean(new int[] {1}).mean(new int[] {1})));
        }
    }
}
