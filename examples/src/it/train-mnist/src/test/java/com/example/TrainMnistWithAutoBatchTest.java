package com.example;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.metric.Metrics;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Blocks;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.EasyTrain;
import ai.djl.training.Trainer;
import ai.djl.training.TrainingResult;
import ai.djl.training.dataset.ArrayDataset;
import ai.djl.training.dataset.RandomAccessDataset;
import ai.djl.training.evaluator.Accuracy;
import ai.djl.training.listener.SaveModelTrainingListener;
import ai.djl.training.listener.TrainingListener;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.translate.TranslateException;
import ai.djl.util.Pair;
import dev.autobatch.autotune.AutoBatch;
import dev.autobatch.autotune.TuneOptions;
import dev.autobatch.autotune.TuningResult;
import dev.autobatch.core.RebatchedDataset;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * DJL's {@code TrainMnist}, with one {@code AutoBatch.tune} where the batch size is picked: the
 * configuration is TrainMnist's verbatim (Accuracy, the logging listeners, a checkpoint listener
 * whose callback reads a validation result), its optimizer TrainMnist's Adam or SGD with
 * momentum. MNIST itself cannot be downloaded here, so the data are random arrays of its shape.
 */
class TrainMnistWithAutoBatchTest {

    private static final int IMAGE = 28 * 28;

    @ParameterizedTest
    @ValueSource(strings = {"adam", "sgd-momentum"})
    void tuningReturnsWritesNoCheckpointAndLeavesTrainingBitIdenticalToAnUntouchedTwins(String optimizer)
            throws IOException, TranslateException {
        Path tunedOutput = Files.createTempDirectory("tuned-model");
        Path twinOutput = Files.createTempDirectory("twin-model");
        try (Model tuned = Model.newInstance("mlp");
                Model twin = Model.newInstance("mlp");
                NDManager data = NDManager.newBaseManager()) {
            tuned.setBlock(mlp());
            twin.setBlock(mlp());
            RandomAccessDataset trainingSet = dataset(data, 1024, 1);
            RandomAccessDataset validateSet = dataset(data, 256, 2);
            DefaultTrainingConfig config = setupTrainingConfig(tunedOutput.toString(), optimizer);

            TuningResult result = AutoBatch.tune(
                    tuned,
                    trainingSet,
                    TuneOptions.builder()
                            .optTrainingConfig(config)
                            .optTimeBudget(Duration.ofSeconds(8))
                            .optCache(false)
                            .build());

            assertTrue(result.batchSize() >= 1 && result.batchSize() <= 1024, "chose " + result.batchSize());
            assertEquals(List.of(), files(tunedOutput), "tuning wrote a checkpoint");
            RandomAccessDataset tunedSet = RebatchedDataset.of(trainingSet, result.batchSize(), true);
            RandomAccessDataset twinSet = RebatchedDataset.of(trainingSet, result.batchSize(), true);
            List<byte[]> afterTuning = train(tuned, config, tunedSet, validateSet);
            List<byte[]> untouched =
                    train(twin, setupTrainingConfig(twinOutput.toString(), optimizer), twinSet, validateSet);
            assertEquals(untouched.size(), afterTuning.size());
            for (int i = 0; i < untouched.size(); i++) {
                assertArrayEquals(untouched.get(i), afterTuning.get(i), "parameter " + i + " differs from the twin's");
            }
            assertFalse(files(tunedOutput).isEmpty(), "the user's own training saves its checkpoint");
        }
    }

    /** TrainMnist's training, one epoch, the seed set where the weights are drawn. */
    private static List<byte[]> train(
            Model model, DefaultTrainingConfig config, RandomAccessDataset trainingSet, RandomAccessDataset validateSet)
            throws IOException, TranslateException {
        try (Trainer trainer = model.newTrainer(config)) {
            trainer.setMetrics(new Metrics());
            Engine.getInstance().setRandomSeed(1234);
            trainer.initialize(new Shape(1, IMAGE));
            EasyTrain.fit(trainer, 1, trainingSet, validateSet);
        }
        List<byte[]> values = new ArrayList<>();
        for (Pair<String, ai.djl.nn.Parameter> pair : model.getBlock().getParameters()) {
            values.add(pair.getValue().getArray().toByteArray());
        }
        return values;
    }

    /** TrainMnist's {@code setupTrainingConfig}, verbatim but for the optimizer under test. */
    private static DefaultTrainingConfig setupTrainingConfig(String outputDir, String optimizer) {
        SaveModelTrainingListener listener = new SaveModelTrainingListener(outputDir);
        listener.setSaveModelCallback(trainer -> {
            TrainingResult result = trainer.getTrainingResult();
            Model model = trainer.getModel();
            float accuracy = result.getValidateEvaluation("Accuracy");
            model.setProperty("Accuracy", String.format("%.5f", accuracy));
            model.setProperty("Loss", String.format("%.5f", result.getValidateLoss()));
        });
        DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                .addEvaluator(new Accuracy())
                .optDevices(Engine.getInstance().getDevices(1))
                .addTrainingListeners(TrainingListener.Defaults.logging(outputDir))
                .addTrainingListeners(listener);
        if (optimizer.equals("sgd-momentum")) {
            config.optOptimizer(Optimizer.sgd()
                    .setLearningRateTracker(Tracker.fixed(0.01f))
                    .optMomentum(0.9f)
                    .build());
        }
        return config; // otherwise DefaultTrainingConfig's Adam, as in TrainMnist
    }

    /** DJL's {@code Mlp(784, 10, new int[] {128, 64})}, written out: the model-zoo jar is not served here. */
    private static SequentialBlock mlp() {
        SequentialBlock block = new SequentialBlock();
        block.add(Blocks.batchFlattenBlock(IMAGE));
        for (int hidden : new int[] {128, 64}) {
            block.add(Linear.builder().setUnits(hidden).build());
            block.add(Activation::relu);
        }
        block.add(Linear.builder().setUnits(10).build());
        return block;
    }

    private static ArrayDataset dataset(NDManager manager, int samples, long seed) {
        Random random = new Random(seed);
        float[] x = new float[samples * IMAGE];
        for (int i = 0; i < x.length; i++) {
            x[i] = random.nextFloat();
        }
        float[] y = new float[samples];
        for (int i = 0; i < samples; i++) {
            y[i] = random.nextInt(10);
        }
        return new ArrayDataset.Builder()
                .setData(manager.create(x, new Shape(samples, IMAGE)))
                .optLabels(manager.create(y, new Shape(samples)))
                .setSampling(32, true)
                .build();
    }

    private static List<String> files(Path directory) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.map(Path::getFileName).map(Path::toString).sorted().toList();
        }
    }
}
