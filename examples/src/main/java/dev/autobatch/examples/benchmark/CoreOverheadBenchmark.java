package dev.autobatch.examples.benchmark;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.metric.Metrics;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Blocks;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.EasyTrain;
import ai.djl.training.Trainer;
import ai.djl.training.TrainingConfig;
import ai.djl.training.TrainingResult;
import ai.djl.training.dataset.ArrayDataset;
import ai.djl.training.dataset.Batch;
import ai.djl.training.evaluator.Accuracy;
import ai.djl.training.listener.SaveModelTrainingListener;
import ai.djl.training.listener.TrainingListener;
import ai.djl.training.loss.Loss;
import ai.djl.translate.TranslateException;
import dev.autobatch.core.DjlTrialRunner;
import dev.autobatch.core.RebatchedDataset;
import dev.autobatch.core.TrialOptions;
import dev.autobatch.examples.training.ModelKind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Samples/s of {@code core}'s {@link DjlTrialRunner} against a plain DJL loop ({@code
 * EasyTrain.trainBatch} then {@code trainer.step()}, the batch fetched outside the timed span as
 * in a trial) on the same model, data, batch size and training configuration, in interleaved
 * rounds so drift in the machine hits both alike. Two configurations: DJL's MNIST example's
 * ({@code TrainMnist}: its 784-128-64-10 MLP, Adam, the Accuracy evaluator, the logging listeners
 * and a checkpoint listener, verbatim, the plain loop with its metrics set as {@code TrainMnist}
 * sets them) and the runner's default (784-128-10 MLP, SGD, no evaluator).
 *
 * <p>Run: {@code mvn -q -pl examples -am install -DskipTests && mvn -q -pl examples exec:java
 * -Dexec.mainClass=dev.autobatch.examples.benchmark.CoreOverheadBenchmark [-Dexec.args="rounds steps"]}
 */
public final class CoreOverheadBenchmark {

    private static final int[] BATCH_SIZES = {32, 256, 2048};

    /**
     * MNIST's training set: the data are random, but as many samples as TrainMnist trains on, so
     * the logging listener's progress bar advances (and prints) as often a batch as it does there.
     */
    private static final int MNIST_TRAINING_SAMPLES = 60_000;

    private CoreOverheadBenchmark() {}

    /**
     * Runs the benchmark and prints a table.
     *
     * @param args optional: rounds (default 7) and measured steps a round (default 30)
     * @throws IOException if the checkpoint directory cannot be made
     * @throws TranslateException if the data cannot be batched
     */
    public static void main(String[] args) throws IOException, TranslateException {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 7;
        int steps = args.length > 1 ? Integer.parseInt(args[1]) : 30;
        Path checkpoints = Files.createTempDirectory("autobatch-overhead");
        System.out.printf(
                Locale.ROOT,
                "%d interleaved rounds of %d measured steps, %d CPUs, PyTorch threads: %s%n",
                rounds,
                steps,
                Runtime.getRuntime().availableProcessors(),
                System.getProperty("ai.djl.pytorch.num_threads", "the engine's default"));
        List<String> lines = new ArrayList<>();
        lines.add(String.format(
                Locale.ROOT, "%-28s %6s %12s %12s %7s", "configuration", "batch", "runner sps", "plain sps", "ratio"));
        for (boolean mnist : new boolean[] {true, false}) {
            for (int batchSize : BATCH_SIZES) {
                double[] runnerSps = new double[rounds];
                double[] plainSps = new double[rounds];
                try (Model runnerModel = model(mnist, "runner");
                        Model plainModel = model(mnist, "plain");
                        NDManager dataManager = NDManager.newBaseManager()) {
                    ArrayDataset data = randomData(dataManager, MNIST_TRAINING_SAMPLES);
                    TrainingConfig config =
                            mnist ? trainMnistConfig(checkpoints) : DjlTrialRunner.defaultTrainingConfig();
                    try (DjlTrialRunner runner = DjlTrialRunner.builder()
                                    .setModel(runnerModel)
                                    .setDataset(data)
                                    .optTrialOptions(TrialOptions.builder()
                                            .optTrainingConfig(config)
                                            .optWarmupSteps(3)
                                            .optMeasuredSteps(steps)
                                            .build())
                                    .build();
                            Trainer trainer = plainModel.newTrainer(
                                    mnist ? trainMnistConfig(checkpoints) : DjlTrialRunner.defaultTrainingConfig())) {
                        trainer.setMetrics(new Metrics());
                        trainer.initialize(new Shape(1, 784));
                        for (int round = 0; round < rounds; round++) {
                            if (round % 2 == 0) {
                                runnerSps[round] = runner.run(batchSize).samplesPerSecond();
                                plainSps[round] = plainLoop(trainer, data, batchSize, 3, steps);
                            } else {
                                plainSps[round] = plainLoop(trainer, data, batchSize, 3, steps);
                                runnerSps[round] = runner.run(batchSize).samplesPerSecond();
                            }
                        }
                    }
                }
                double runner = Medians.of(runnerSps);
                double plain = Medians.of(plainSps);
                lines.add(String.format(
                        Locale.ROOT,
                        "%-28s %6d %12.0f %12.0f %7.3f",
                        mnist ? "TrainMnist's (Adam, Accuracy)" : "default (SGD)",
                        batchSize,
                        runner,
                        plain,
                        runner / plain));
            }
        }
        System.out.println();
        lines.forEach(System.out::println);
    }

    /**
     * DJL's {@code TrainMnist} configuration, verbatim but for the output directory and a check in
     * the checkpoint callback for a validation result, which the plain loop does not produce.
     */
    private static TrainingConfig trainMnistConfig(Path outputDir) {
        SaveModelTrainingListener listener = new SaveModelTrainingListener(outputDir.toString());
        listener.setSaveModelCallback(trainer -> {
            TrainingResult result = trainer.getTrainingResult();
            Model model = trainer.getModel();
            if (result.getValidateEvaluation("Accuracy") == null) {
                return; // the plain loop validates nothing; TrainMnist's callback would throw here
            }
            float accuracy = result.getValidateEvaluation("Accuracy");
            model.setProperty("Accuracy", String.format("%.5f", accuracy));
            model.setProperty("Loss", String.format("%.5f", result.getValidateLoss()));
        });
        return new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                .addEvaluator(new Accuracy())
                .optDevices(Engine.getInstance().getDevices(1))
                .addTrainingListeners(TrainingListener.Defaults.logging(outputDir.toString()))
                .addTrainingListeners(listener);
    }

    /** TrainMnist's {@code Mlp(784, 10, new int[] {128, 64})}, or the runner's default MLP. */
    private static Model model(boolean mnist, String name) {
        if (!mnist) {
            return ModelKind.MLP.newModel(name, 7);
        }
        Engine.getInstance().setRandomSeed(7);
        Model model = Model.newInstance(name);
        model.setBlock(new SequentialBlock()
                .add(Blocks.batchFlattenBlock(784))
                .add(Linear.builder().setUnits(128).build())
                .add(Activation::relu)
                .add(Linear.builder().setUnits(64).build())
                .add(Activation::relu)
                .add(Linear.builder().setUnits(10).build()));
        return model;
    }

    /**
     * The plain loop, as a DJL user writes it: samples/s from the median of {@code steps} timed
     * steps of {@code trainBatch} and {@code step}, the dataset re-batched to the size.
     */
    private static double plainLoop(Trainer trainer, ArrayDataset data, int batchSize, int warmup, int steps)
            throws IOException, TranslateException {
        double[] seconds = new double[steps];
        RebatchedDataset rebatched = RebatchedDataset.of(data, batchSize, false);
        Iterator<Batch> batches = trainer.iterateDataset(rebatched).iterator();
        for (int i = 0; i < warmup + steps; i++) {
            if (!batches.hasNext()) {
                batches = trainer.iterateDataset(rebatched).iterator(); // the next epoch
            }
            try (Batch batch = batches.next()) {
                long start = System.nanoTime();
                EasyTrain.trainBatch(trainer, batch);
                trainer.step();
                long end = System.nanoTime();
                if (i >= warmup) {
                    seconds[i - warmup] = (end - start) / 1e9;
                }
            }
        }
        return batchSize / Medians.of(seconds);
    }

    private static ArrayDataset randomData(NDManager manager, int n) {
        Random random = new Random(7);
        float[] x = new float[n * 784];
        for (int i = 0; i < x.length; i++) {
            x[i] = random.nextFloat();
        }
        float[] y = new float[n];
        for (int i = 0; i < n; i++) {
            y[i] = random.nextInt(10);
        }
        NDArray data = manager.create(x, new Shape(n, 784));
        NDArray labels = manager.create(y, new Shape(n));
        return new ArrayDataset.Builder()
                .setData(data)
                .optLabels(labels)
                .setSampling(32, false)
                .build();
    }
}
