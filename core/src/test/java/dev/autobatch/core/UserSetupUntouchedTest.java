package dev.autobatch.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.EasyTrain;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.ArrayDataset;
import ai.djl.training.dataset.Batch;
import ai.djl.training.evaluator.Accuracy;
import ai.djl.training.evaluator.Evaluator;
import ai.djl.training.listener.TrainingListener;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.util.Pair;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The promise a DJL user depends on: tuning with their model and training configuration leaves
 * both exactly as they were, so training afterwards is bit-identical to an untouched twin's.
 */
class UserSetupUntouchedTest {

    private static final int FEATURES = 20;
    private static final int TRAINING_STEPS = 20;

    // NAG is left out: DJL's PyTorch engine does not implement its update ("Not implemented").
    @ParameterizedTest(name = "{0}, batch norm {1}")
    @CsvSource({
        "sgd, false",
        "sgd, true",
        "sgd-momentum, false",
        "sgd-momentum, true",
        "adam, false",
        "adam, true",
        "adamw, false",
        "adamw, true"
    })
    void trainingAfterTuningIsBitIdenticalToAnUntouchedTwins(String optimizer, boolean batchNorm) {
        try (Model tuned = initialised("tuned", batchNorm);
                Model twin = initialised("twin", batchNorm)) {
            DefaultTrainingConfig tunedConfig = config(optimizer);
            DefaultTrainingConfig twinConfig = config(optimizer);
            ArrayDataset data = data(tuned.getNDManager(), 512);
            try (DjlTrialRunner runner = quick(
                            tuned, data, TrialOptions.builder().optTrainingConfig(tunedConfig))
                    .build()) {
                for (int size : new int[] {16, 64}) {
                    Trial trial = runner.run(size);
                    assertTrue(trial.ok(), trial::toString);
                }
            }
            List<byte[]> afterTuning = train(tuned, tunedConfig, data);
            List<byte[]> untouched = train(twin, twinConfig, data(twin.getNDManager(), 512));
            assertEquals(untouched.size(), afterTuning.size());
            for (int i = 0; i < untouched.size(); i++) {
                assertArrayEquals(untouched.get(i), afterTuning.get(i), "parameter " + i + " differs from the twin's");
            }
        }
    }

    @Test
    void evaluatorsAreUpdatedByEveryStepWhereTrainingWouldAndLeftWithTheirAccumulatorsAsTheyWere() {
        CountingEvaluator counting = new CountingEvaluator();
        Accuracy accuracy = new Accuracy();
        try (Model model = initialised("mlp", false)) {
            ArrayDataset data = data(model.getNDManager(), 256);
            // As after an epoch of the user's own training: an accumulator with a value in it.
            accuracy.addAccumulator("train_epoch");
            try (NDManager manager = model.getNDManager().newSubManager()) {
                NDArray labels = manager.create(new float[] {1, 2});
                NDArray predictions = manager.create(new float[] {0, 1, 0, 0, 0, 1}, new Shape(2, 3));
                accuracy.updateAccumulator("train_epoch", new NDList(labels), new NDList(predictions));
            }
            float epochAccuracy = accuracy.getAccumulator("train_epoch");
            DefaultTrainingConfig config = config("adam")
                    .addEvaluator(accuracy)
                    .addEvaluator(counting)
                    .addTrainingListeners(TrainingListener.Defaults.basic());
            int before = CountingEvaluator.UPDATES.get();
            try (DjlTrialRunner runner = quick(
                            model, data, TrialOptions.builder().optTrainingConfig(config))
                    .build()) {
                assertTrue(runner.run(32).ok());
            }
            assertTrue(CountingEvaluator.UPDATES.get() - before >= 5, "every measured step updates the evaluators");
            int afterListened = CountingEvaluator.UPDATES.get();
            DefaultTrainingConfig unheard = config("adam").addEvaluator(new CountingEvaluator());
            try (DjlTrialRunner runner = quick(
                            model, data, TrialOptions.builder().optTrainingConfig(unheard))
                    .build()) {
                assertTrue(runner.run(32).ok());
            }
            assertEquals(
                    afterListened,
                    CountingEvaluator.UPDATES.get(),
                    "without DJL's evaluator listener, training updates no evaluator, and nor do trials");
            assertEquals(epochAccuracy, accuracy.getAccumulator("train_epoch"));
            assertEquals(0, counting.updates, "the evaluator's own count is put back");
            assertTrue(
                    Float.isNaN(accuracy.getAccumulator("train_all")), "no accumulator of the trials is left behind");
        }
    }

    @Test
    void theModelsPropertiesAndTheConfigurationsListenersAreUnchanged() {
        try (Model model = initialised("mlp", true)) {
            model.setProperty("owner", "user");
            Map<String, String> properties = Map.copyOf(model.getProperties());
            DefaultTrainingConfig config =
                    config("sgd-momentum").addTrainingListeners(TrainingListener.Defaults.basic());
            List<TrainingListener> listeners = List.copyOf(config.getTrainingListeners());
            try (DjlTrialRunner runner = quick(
                            model,
                            data(model.getNDManager(), 128),
                            TrialOptions.builder().optTrainingConfig(config))
                    .build()) {
                assertTrue(runner.run(32).ok());
            }
            assertEquals(properties, model.getProperties());
            assertEquals(listeners, config.getTrainingListeners());
        }
    }

    @Test
    void aModelThatWasNotInitialisedIsLeftUninitialised() {
        try (Model model = TestModels.model("mlp", block(false))) {
            try (DjlTrialRunner runner =
                    quick(model, data(model.getNDManager(), 128)).build()) {
                assertTrue(runner.run(16).ok());
                assertTrue(parameters(model).stream().allMatch(Parameter::isInitialized), "trials need weights");
            }
            for (Parameter parameter : parameters(model)) {
                assertFalse(parameter.isInitialized(), parameter.getName() + " was left initialised");
            }
        }
    }

    @Test
    void anOptimizerWhoseStateCannotBeCopiedIsRefusedNamingTheFieldAndTheFix() {
        try (Model model = initialised("mlp", false)) {
            ArrayDataset data = data(model.getNDManager(), 128);
            DefaultTrainingConfig config =
                    new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss()).optOptimizer(new ThreadedOptimizer());
            IllegalArgumentException e = assertThrows(
                    IllegalArgumentException.class,
                    () -> quick(model, data, TrialOptions.builder().optTrainingConfig(config))
                            .build());
            assertTrue(
                    e.getMessage().contains("the optimizer (" + ThreadedOptimizer.class.getName() + ").worker"),
                    e::getMessage);
            assertTrue(e.getMessage().contains("optTrainingConfig(() -> newConfig())"), e::getMessage);

            Supplier<DefaultTrainingConfig> fresh = () ->
                    new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss()).optOptimizer(new ThreadedOptimizer());
            try (DjlTrialRunner runner = quick(
                            model, data, TrialOptions.builder().optTrainingConfig(fresh))
                    .build()) {
                assertTrue(runner.run(16).ok(), "a configuration of the trials' own needs no copy");
            }
        }
    }

    @Test
    void dataOfTheWrongWidthIsRefusedBeforeAnyTrialNamingBothShapes() {
        try (Model model = initialised("mlp", false)) {
            ArrayDataset narrow = TestModels.randomData(model.getNDManager(), 64, 7, 10);
            IllegalArgumentException e = assertThrows(
                    IllegalArgumentException.class, () -> quick(model, narrow).build());
            assertTrue(
                    e.getMessage()
                            .startsWith("the model fails on the data's first sample, of shape (7)"
                                    + " (it was initialised for (1, 20)): "),
                    e::getMessage);
            assertTrue(
                    e.getMessage().endsWith("; check that the data have the shape the model's first layer expects"),
                    e::getMessage);
        }
    }

    @Test
    void labelsOfTheWrongShapeAreRefusedBeforeAnyTrialNamingBothShapes() {
        try (Model model = initialised("mlp", false)) {
            NDManager manager = model.getNDManager();
            ArrayDataset wide = new ArrayDataset.Builder()
                    .setData(manager.randomUniform(0, 1, new Shape(64, FEATURES)))
                    .optLabels(manager.zeros(new Shape(64, 3)))
                    .setSampling(8, false)
                    .build();
            IllegalArgumentException e = assertThrows(
                    IllegalArgumentException.class, () -> quick(model, wide).build());
            assertEquals(
                    "the labels do not fit the loss SoftmaxCrossEntropyLoss: a sample's labels of shape (1, 3)"
                            + " against predictions of shape (1, 10); give one class index a sample, shape (1), or one-hot"
                            + " labels of shape (1, 10)",
                    e.getMessage());
            List<byte[]> before = new ArrayList<>();
            for (Parameter parameter : parameters(model)) {
                before.add(parameter.getArray().toByteArray());
            }
            ArrayDataset fine = data(manager, 64);
            try (DjlTrialRunner runner = quick(model, fine).build()) {
                assertTrue(runner.run(8).ok(), "the model is still usable after a refusal");
            }
            for (int i = 0; i < before.size(); i++) {
                assertArrayEquals(
                        before.get(i), parameters(model).get(i).getArray().toByteArray());
            }
        }
    }

    private static DjlTrialRunner.Builder quick(Model model, ArrayDataset data) {
        return quick(model, data, TrialOptions.builder());
    }

    private static DjlTrialRunner.Builder quick(Model model, ArrayDataset data, TrialOptions.Builder options) {
        return DjlTrialRunner.builder()
                .setModel(model)
                .setDataset(data)
                .optTrialOptions(options.optWarmupSteps(1)
                        .optMinMeasuredSeconds(0.01)
                        .optMaxTrialSeconds(1)
                        .build());
    }

    /** The user's own training: 20 steps of {@code EasyTrain.trainBatch} and {@code step}. */
    private static List<byte[]> train(Model model, DefaultTrainingConfig config, ArrayDataset data) {
        try (Trainer trainer = model.newTrainer(config)) {
            trainer.initialize(new Shape(1, FEATURES));
            Iterator<Batch> batches = dev.autobatch.core.internal.Rebatcher.fullBatches(data, trainer.getManager(), 32);
            for (int step = 0; step < TRAINING_STEPS; step++) {
                try (Batch batch = batches.next()) {
                    EasyTrain.trainBatch(trainer, batch);
                    trainer.step();
                }
            }
        }
        List<byte[]> values = new ArrayList<>();
        for (Parameter parameter : parameters(model)) {
            values.add(parameter.getArray().toByteArray());
        }
        return values;
    }

    private static Model initialised(String name, boolean batchNorm) {
        Model model = TestModels.model(name, block(batchNorm));
        Engine.getInstance().setRandomSeed(11);
        model.getBlock().initialize(model.getNDManager(), DataType.FLOAT32, new Shape(1, FEATURES));
        return model;
    }

    private static Block block(boolean batchNorm) {
        SequentialBlock block = new SequentialBlock()
                .add(Blocks.batchFlattenBlock())
                .add(Linear.builder().setUnits(32).build());
        if (batchNorm) {
            block.add(BatchNorm.builder().build());
        }
        return block.add(Activation::relu).add(Linear.builder().setUnits(10).build());
    }

    private static List<Parameter> parameters(Model model) {
        return model.getBlock().getParameters().stream().map(Pair::getValue).toList();
    }

    private static ArrayDataset data(NDManager manager, int samples) {
        return TestModels.randomData(manager, samples, FEATURES, 10);
    }

    private static DefaultTrainingConfig config(String optimizer) {
        Tracker rate = Tracker.fixed(0.05f);
        Optimizer built = switch (optimizer) {
            case "sgd" -> Optimizer.sgd().setLearningRateTracker(rate).build();
            case "sgd-momentum" ->
                Optimizer.sgd().setLearningRateTracker(rate).optMomentum(0.9f).build();
            case "adam" ->
                Optimizer.adam().optLearningRateTracker(Tracker.fixed(0.01f)).build();
            case "adamw" ->
                Optimizer.adamW().optLearningRateTracker(Tracker.fixed(0.01f)).build();
            default -> throw new IllegalArgumentException(optimizer);
        };
        return new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss()).optOptimizer(built);
    }

    /** Counts its updates in a field (which trials must put back) and in a static (which shows they ran). */
    static final class CountingEvaluator extends Evaluator {
        static final AtomicInteger UPDATES = new AtomicInteger();
        int updates;

        CountingEvaluator() {
            super("Counting");
        }

        @Override
        public NDArray evaluate(NDList labels, NDList predictions) {
            return labels.head().zerosLike();
        }

        @Override
        public void addAccumulator(String key) {}

        @Override
        public void updateAccumulators(String[] keys, NDList labels, NDList predictions) {
            updates++;
            UPDATES.incrementAndGet();
        }

        @Override
        public void updateAccumulator(String key, NDList labels, NDList predictions) {
            updateAccumulators(new String[] {key}, labels, predictions);
        }

        @Override
        public void resetAccumulator(String key) {}

        @Override
        public float getAccumulator(String key) {
            return updates;
        }
    }

    /** An optimizer holding a thread: nothing a copy could put back. */
    static final class ThreadedOptimizer extends Optimizer {
        private final Thread worker = new Thread(() -> {});
        private final Optimizer sgd =
                Optimizer.sgd().setLearningRateTracker(Tracker.fixed(0.01f)).build();

        ThreadedOptimizer() {
            super(Optimizer.sgd().setLearningRateTracker(Tracker.fixed(0.01f)));
        }

        @Override
        public void update(String parameterId, NDArray weight, NDArray grad) {
            sgd.update(parameterId, weight, grad);
        }
    }
}
