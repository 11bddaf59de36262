package dev.autobatch.examples.benchmark;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.EasyTrain;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.ArrayDataset;
import ai.djl.training.dataset.Batch;
import dev.autobatch.core.DjlTrialRunner;
import dev.autobatch.core.Trial;
import dev.autobatch.core.internal.Rebatcher;
import dev.autobatch.examples.training.ModelKind;

import java.util.Iterator;
import java.util.Locale;
import java.util.Random;

/**
 * Samples/s of {@code core}'s {@link DjlTrialRunner} against a plain DJL loop ({@code
 * EasyTrain.trainBatch} then {@code trainer.step()}) on the same 784-128-10 MLP, data, batch size
 * and training configuration, in interleaved rounds so drift in the machine hits both alike.
 *
 * <p>Run: {@code mvn -q -pl examples -am install -DskipTests && mvn -q -pl examples exec:java
 * -Dexec.mainClass=dev.autobatch.examples.benchmark.CoreOverheadBenchmark [-Dexec.args="rounds steps"]}
 */
public final class CoreOverheadBenchmark {

    private static final int[] BATCH_SIZES = {32, 256, 2048};

    private CoreOverheadBenchmark() {}

    /**
     * Runs the benchmark and prints a table.
     *
     * @param args optional: rounds (default 7) and measured steps a round (default 30)
     */
    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 7;
        int steps = args.length > 1 ? Integer.parseInt(args[1]) : 30;
        System.out.printf(
                Locale.ROOT,
                "784-128-10 MLP, SGD, %d interleaved rounds of %d measured steps, %d CPU threads%n",
                rounds,
                steps,
                Runtime.getRuntime().availableProcessors());
        System.out.printf(Locale.ROOT, "%10s %14s %14s %8s%n", "batch", "runner sps", "plain sps", "ratio");
        for (int batchSize : BATCH_SIZES) {
            double[] runnerSps = new double[rounds];
            double[] plainSps = new double[rounds];
            try (Model runnerModel = ModelKind.MLP.newModel("runner", 7);
                    Model plainModel = ModelKind.MLP.newModel("plain", 7);
                    NDManager dataManager = NDManager.newBaseManager()) {
                ArrayDataset data = randomData(dataManager, Math.max(4096, batchSize * 2));
                try (DjlTrialRunner runner =
                                DjlTrialRunner.builder()
                                        .setModel(runnerModel)
                                        .setDataset(data)
                                        .optWarmupSteps(3)
                                        .optMeasuredSteps(steps)
                                        .build();
                        Trainer trainer = plainModel.newTrainer(DjlTrialRunner.defaultTrainingConfig())) {
                    trainer.initialize(new Shape(1, 784));
                    for (int round = 0; round < rounds; round++) {
                        Trial trial = runner.run(batchSize);
                        runnerSps[round] = trial.samplesPerSecond();
                        plainSps[round] = plainLoop(trainer, data, batchSize, 3, steps);
                    }
                }
            }
            double runner = Medians.of(runnerSps);
            double plain = Medians.of(plainSps);
            System.out.printf(
                    Locale.ROOT, "%10d %14.0f %14.0f %8.3f%n", batchSize, runner, plain, runner / plain);
        }
    }

    /** The plain loop: samples/s from the median of {@code steps} timed steps. */
    private static double plainLoop(
            Trainer trainer, ArrayDataset data, int batchSize, int warmup, int steps) {
        double[] seconds = new double[steps];
        try (NDManager manager = trainer.getManager().newSubManager()) {
            Iterator<Batch> batches = Rebatcher.fullBatches(data, manager, batchSize);
            for (int i = 0; i < warmup + steps; i++) {
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
        return new ArrayDataset.Builder().setData(data).optLabels(labels).setSampling(32, false).build();
    }
}
