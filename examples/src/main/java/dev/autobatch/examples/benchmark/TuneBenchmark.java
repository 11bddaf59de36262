package dev.autobatch.examples.benchmark;

import ai.djl.Model;
import ai.djl.ndarray.NDManager;
import dev.autobatch.autotune.AutoBatch;
import dev.autobatch.autotune.TuneOptions;
import dev.autobatch.autotune.TuningResult;
import dev.autobatch.autotune.internal.Bytes;
import dev.autobatch.core.DjlTrialRunner;
import dev.autobatch.core.Trial;
import dev.autobatch.examples.data.FashionMnist;
import dev.autobatch.examples.training.ModelKind;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * {@code AutoBatch.tune} against an exhaustive sweep, on the 784-128-10 MLP and Fashion-MNIST's
 * 60,000 training images: wall time of each, and the throughput and peak memory of what each
 * picks. The sweep runs a trial (same warm-up and measured steps) at every power of two from 2 up
 * to the largest that fits the data; it picks the best throughput it measured, and the largest
 * size, as "the largest that fits" finders do.
 *
 * <p>Run: {@code mvn -q -B -DskipTests install -pl examples -am && mvn -q -pl examples exec:java
 * -Dexec.mainClass=dev.autobatch.examples.benchmark.TuneBenchmark}
 */
public final class TuneBenchmark {

    private TuneBenchmark() {}

    /**
     * Runs the benchmark and prints a table.
     *
     * @param args optional: rounds (default 3)
     */
    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        try (NDManager manager = NDManager.newBaseManager()) {
            FashionMnist data =
                    FashionMnist.load(
                            FashionMnist.DEFAULT_DIRECTORY, manager, FashionMnist.Layout.FLAT, Integer.MAX_VALUE);
            long samples = data.train().size();
            System.out.printf(
                    Locale.ROOT,
                    "784-128-10 MLP, SGD 0.01, Fashion-MNIST %,d training images, %d CPUs, %d rounds%n",
                    samples,
                    Runtime.getRuntime().availableProcessors(),
                    rounds);
            // Load the engine and its kernels before anything is timed.
            remeasure(data, 64, 1);

            double[] tuneSeconds = new double[rounds];
            double[] sweepSeconds = new double[rounds];
            TuningResult tuned = null;
            List<Trial> sweep = null;
            for (int round = 0; round < rounds; round++) {
                long start = System.nanoTime();
                try (Model model = ModelKind.MLP.newModel("mlp", 42)) {
                    // Every round tunes afresh: a cached result would time nothing.
                    tuned = AutoBatch.tune(model, data.train(), TuneOptions.builder().optCache(false).build());
                }
                tuneSeconds[round] = (System.nanoTime() - start) / 1e9;
                start = System.nanoTime();
                sweep = sweep(data, samples);
                sweepSeconds[round] = (System.nanoTime() - start) / 1e9;
            }
            List<Trial> fitted = sweep.stream().filter(Trial::ok).toList();
            int sweepBest = fitted.stream().max(Comparator.comparingDouble(Trial::samplesPerSecond)).orElseThrow().batchSize();
            int sweepLargest = fitted.get(fitted.size() - 1).batchSize();

            // The picks' quality, re-measured alike: 30 measured steps, interleaved rounds.
            int[] picks = {tuned.batchSize(), sweepBest, sweepLargest};
            double[][] sps = new double[picks.length][rounds];
            double[][] peak = new double[picks.length][rounds];
            for (int round = 0; round < rounds; round++) {
                for (int i = 0; i < picks.length; i++) {
                    Trial trial = remeasure(data, picks[i], 30);
                    sps[i][round] = trial.samplesPerSecond();
                    peak[i][round] = trial.peakAboveBaselineBytes();
                }
            }
            System.out.println();
            System.out.println("| method | wall time (median) | trials | pick | samples/s (re-measured) | memory the step adds |");
            System.out.println("| --- | ---: | ---: | ---: | ---: | ---: |");
            String[] names = {"AutoBatch.tune (THROUGHPUT)", "sweep of powers of 2, best throughput", "sweep of powers of 2, largest that fits"};
            for (int i = 0; i < picks.length; i++) {
                System.out.printf(
                        Locale.ROOT,
                        "| %s | %.1f s | %d | %,d | %,.0f | %s |%n",
                        names[i],
                        Medians.of(i == 0 ? tuneSeconds : sweepSeconds),
                        i == 0 ? tuned.trials().size() : sweep.size(),
                        picks[i],
                        Medians.of(sps[i]),
                        Bytes.format((long) Medians.of(peak[i])));
            }
            System.out.println("The last tuning stopped on " + tuned.stopReason() + ":");
            System.out.println(tuned);
        }
    }

    private static List<Trial> sweep(FashionMnist data, long samples) {
        List<Trial> sweep = new ArrayList<>();
        try (Model model = ModelKind.MLP.newModel("mlp", 42);
                DjlTrialRunner runner = DjlTrialRunner.builder().setModel(model).setDataset(data.train()).build()) {
            for (int b = 2; b <= samples; b *= 2) {
                Trial trial = runner.run(b);
                sweep.add(trial);
                if (!trial.ok()) {
                    break;
                }
            }
        }
        return sweep;
    }

    private static Trial remeasure(FashionMnist data, int batchSize, int steps) {
        try (Model model = ModelKind.MLP.newModel("mlp", 42);
                DjlTrialRunner runner =
                        DjlTrialRunner.builder()
                                .setModel(model)
                                .setDataset(data.train())
                                .optWarmupSteps(3)
                                .optMeasuredSteps(steps)
                                .build()) {
            return runner.run(batchSize);
        }
    }
}
