package dev.autobatch.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.EasyTrain;
import ai.djl.training.Trainer;
import ai.djl.training.TrainingConfig;
import ai.djl.training.dataset.ArrayDataset;
import ai.djl.training.dataset.Batch;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.translate.Batchifier;
import ai.djl.util.Pair;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Real DJL training on CPU: k micro-batches with loss / k step as one batch of k times the size. */
class GradientAccumulationTest {

    private static final int FEATURES = 20;
    private static final int CLASSES = 5;

    @Test
    void fourMicroBatchesOfSixteenUpdateTheParametersAsOneBatchOfSixtyFour() {
        try (Model accumulated = model("accumulated");
                Model whole = model("whole");
                NDManager manager = NDManager.newBaseManager()) {
            NDArray x = randomInputs(manager, 64);
            NDArray y = randomLabels(manager, 64);
            try (Trainer a = trainer(accumulated);
                    Trainer b = trainer(whole)) {
                copyParameters(accumulated, whole);
                List<float[]> before = parameters(whole);

                List<Batch> micro = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    micro.add(batch(
                            manager,
                            x.get(new NDIndex("{}:{}", 16 * i, 16 * (i + 1))),
                            y.get(new NDIndex("{}:{}", 16 * i, 16 * (i + 1)))));
                }
                GradientAccumulation.trainStep(a, micro);
                micro.forEach(Batch::close);
                try (Batch one = batch(manager, x, y)) {
                    EasyTrain.trainBatch(b, one);
                    b.step();
                }

                assertClose(parameters(whole), parameters(accumulated), 1e-5f);
                assertChanged(before, parameters(whole));
            }
        }
    }

    @Test
    void aSecondAccumulatedStepStartsFromZeroGradientsLikeTheWholeBatch() {
        // The optimizer zeroes the gradients after each step; a second step must not see the first.
        try (Model accumulated = model("accumulated");
                Model whole = model("whole");
                NDManager manager = NDManager.newBaseManager()) {
            NDArray x = randomInputs(manager, 48);
            NDArray y = randomLabels(manager, 48);
            try (Trainer a = trainer(accumulated);
                    Trainer b = trainer(whole)) {
                copyParameters(accumulated, whole);
                for (int step = 0; step < 2; step++) {
                    int from = 24 * step;
                    List<Batch> micro = new ArrayList<>();
                    for (int i = 0; i < 3; i++) {
                        int start = from + 8 * i;
                        micro.add(batch(
                                manager,
                                x.get(new NDIndex("{}:{}", start, start + 8)),
                                y.get(new NDIndex("{}:{}", start, start + 8))));
                    }
                    GradientAccumulation.trainStep(a, micro);
                    micro.forEach(Batch::close);
                    try (Batch one = batch(
                            manager,
                            x.get(new NDIndex("{}:{}", from, from + 24)),
                            y.get(new NDIndex("{}:{}", from, from + 24)))) {
                        EasyTrain.trainBatch(b, one);
                        b.step();
                    }
                }
                assertClose(parameters(whole), parameters(accumulated), 1e-5f);
            }
        }
    }

    @Test
    void theTrialRunnerMeasuresAnAccumulatedStepWithTheGradientOfTheWholeBatch() {
        // The runner serves the data in order, so 4 micro-batches of 16 are the samples of one 64.
        try (Model model = TestModels.model("mlp", TestModels.mlp(32, 10))) {
            ArrayDataset data = TestModels.randomData(model.getNDManager(), 256, 784, 10);
            // Initialised here: a runner releases the weights it had to draw, and both trials
            // must start from the same ones.
            model.getBlock()
                    .initialize(
                            model.getNDManager(),
                            ai.djl.ndarray.types.DataType.FLOAT32,
                            new ai.djl.ndarray.types.Shape(1, 784));
            Trial whole;
            Trial accumulated;
            try (DjlTrialRunner runner = runner(model, data, 1)) {
                whole = runner.run(64);
            }
            try (DjlTrialRunner runner = runner(model, data, 4)) {
                assertEquals(4, runner.accumulationSteps());
                accumulated = runner.run(16);
            }
            assertTrue(whole.ok() && accumulated.ok(), () -> whole + " / " + accumulated);
            assertEquals(4, accumulated.accumulationSteps());
            assertEquals(64, accumulated.samplesPerStep());
            assertEquals(64 / accumulated.medianStepSeconds(), accumulated.samplesPerSecond(), 1e-6);
            assertEquals(
                    whole.gradientNormSquared(), accumulated.gradientNormSquared(), 1e-5 * whole.gradientNormSquared());
        }
    }

    @Test
    void rejectsAStepWithoutMicroBatches() {
        try (Model model = model("empty");
                Trainer trainer = trainer(model)) {
            IllegalArgumentException e = assertThrows(
                    IllegalArgumentException.class, () -> GradientAccumulation.trainStep(trainer, List.of()));
            assertTrue(e.getMessage().contains("at least one micro-batch"), e.getMessage());
            IllegalArgumentException builder = assertThrows(
                    IllegalArgumentException.class,
                    () -> DjlTrialRunner.builder().optAccumulationSteps(0));
            assertTrue(builder.getMessage().contains("got 0"), builder.getMessage());
        }
    }

    private static DjlTrialRunner runner(Model model, ArrayDataset data, int accumulationSteps) {
        // Both trials must average the norm over the same steps: no warm-up, at least the 16
        // measured steps that read it, a precision any 16 steps reach and a cap no load reaches.
        return DjlTrialRunner.builder()
                .setModel(model)
                .setDataset(data)
                .optTrialOptions(TrialOptions.builder()
                        .optWarmupSteps(0)
                        .optMeasuredSteps(DjlTrialRunner.MAX_GRADIENT_NORM_STEPS)
                        .optMinMeasuredSeconds(1e-3)
                        .optTargetPrecision(0.99)
                        .optMaxTrialSeconds(300)
                        .build())
                .optRecordGradientNorm(true)
                .optAccumulationSteps(accumulationSteps)
                .build();
    }

    private static Model model(String name) {
        // No batch-dependent layer: the equivalence holds exactly, up to float rounding.
        return TestModels.model(name, TestModels.mlp(16, CLASSES));
    }

    private static Trainer trainer(Model model) {
        TrainingConfig config = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                .optOptimizer(Optimizer.sgd()
                        .setLearningRateTracker(Tracker.fixed(0.5f))
                        .optMomentum(0.9f)
                        .build());
        Trainer trainer = model.newTrainer(config);
        trainer.initialize(new Shape(1, FEATURES));
        return trainer;
    }

    private static Batch batch(NDManager parent, NDArray x, NDArray y) {
        return new Batch(
                parent.newSubManager(),
                new NDList(x),
                new NDList(y),
                (int) x.getShape().get(0),
                Batchifier.STACK,
                Batchifier.STACK,
                0,
                1);
    }

    private static NDArray randomInputs(NDManager manager, int n) {
        Random random = new Random(7);
        float[] values = new float[n * FEATURES];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) random.nextGaussian();
        }
        return manager.create(values, new Shape(n, FEATURES));
    }

    private static NDArray randomLabels(NDManager manager, int n) {
        Random random = new Random(8);
        float[] labels = new float[n];
        for (int i = 0; i < n; i++) {
            labels[i] = random.nextInt(CLASSES);
        }
        return manager.create(labels, new Shape(n));
    }

    private static void copyParameters(Model from, Model to) {
        ai.djl.nn.ParameterList source = from.getBlock().getParameters();
        ai.djl.nn.ParameterList target = to.getBlock().getParameters();
        for (int i = 0; i < source.size(); i++) {
            target.get(i)
                    .getValue()
                    .getArray()
                    .set(ByteBuffer.wrap(source.get(i).getValue().getArray().toByteArray()));
        }
    }

    private static List<float[]> parameters(Model model) {
        List<float[]> values = new ArrayList<>();
        for (Pair<String, Parameter> pair : model.getBlock().getParameters()) {
            values.add(pair.getValue().getArray().toFloatArray());
        }
        return values;
    }

    private static void assertClose(List<float[]> expected, List<float[]> actual, float tolerance) {
        assertEquals(expected.size(), actual.size());
        for (int p = 0; p < expected.size(); p++) {
            for (int i = 0; i < expected.get(p).length; i++) {
                float e = expected.get(p)[i];
                float a = actual.get(p)[i];
                int parameter = p;
                int index = i;
                assertTrue(
                        Math.abs(e - a) <= tolerance * Math.max(1, Math.abs(e)),
                        () -> "parameter " + parameter + "[" + index + "]: " + e + " vs " + a);
            }
        }
    }

    private static void assertChanged(List<float[]> before, List<float[]> after) {
        double moved = 0;
        for (int p = 0; p < before.size(); p++) {
            for (int i = 0; i < before.get(p).length; i++) {
                moved = Math.max(moved, Math.abs(before.get(p)[i] - after.get(p)[i]));
            }
        }
        assertTrue(moved > 1e-3, "the step should move the parameters; moved at most " + moved);
    }
}
