package dev.autobatch.examples.benchmark;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.training.dataset.ArrayDataset;
import dev.autobatch.autotune.AutoBatch;
import dev.autobatch.autotune.TuneOptions;
import dev.autobatch.autotune.TuningResult;
import dev.autobatch.autotune.advice.NoiseScale;
import dev.autobatch.core.DjlTrialRunner;
import dev.autobatch.core.TrialOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How reproducible the gradient noise scale is, and what recording gradient norms costs.
 *
 * <p>Part 1: {@code AutoBatch.tune} (the default goal, no cache) of the 784-128-10 MLP on
 * Fashion-MNIST once a seed; each seed initialises the model and shuffles the training set
 * differently, so the trials see other parameters and other samples. Prints each {@code B_simple}
 * with its spread and the ratio of the largest to the smallest.
 *
 * <p>Part 2: samples/s of {@code DjlTrialRunner} trials with and without {@code
 * optRecordGradientNorm}, interleaved rounds at three batch sizes (the norm is read outside the
 * timed span; this checks that it costs the timed steps nothing).
 *
 * <p>Run: {@code java -cp ... dev.autobatch.examples.benchmark.NoiseScaleBenchmark [seeds...]
 * [--steps N] [--rounds N]} (default seeds 1 and 2, the tuner's 5 measured steps, 15 rounds).
 */
public final class NoiseScaleBenchmark {

    private static final int[] OVERHEAD_BATCH_SIZES = {32, 256, 2048};

    private NoiseScaleBenchmark() {}

    /**
     * Runs both parts and prints two tables.
     *
     * @param args seeds, then optional {@code --steps N} and {@code --rounds N}
     * @throws dev.autobatch.examples.data.DataFileException if Fashion-MNIST cannot be read
     */
    public static void main(String[] args) {
        List<Long> seeds = new ArrayList<>();
        int steps = TrialOptions.DEFAULT_MEASURED_STEPS;
        int rounds = 15;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--steps" -> steps = Integer.parseInt(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                default -> seeds.add(Long.parseLong(args[i]));
            }
        }
        if (seeds.isEmpty()) {
            seeds.addAll(List.of(1L, 2L));
        }
        int measuredSteps = steps;
        System.out.printf(
                Locale.ROOT,
                "Fashion-MNIST, 784-128-10 MLP, SGD 0.01, %d measured steps a trial, %d CPUs%n",
                steps,
                Runtime.getRuntime().availableProcessors());
        System.out.printf(
                Locale.ROOT,
                "%5s %10s %21s %6s %11s %11s %7s %8s%n",
                "seed",
                "B_simple",
                "one standard error",
                "sizes",
                "|G|^2",
                "tr(S)",
                "chosen",
                "tune s");
        double smallest = Double.POSITIVE_INFINITY;
        double largest = 0;
        for (long seed : seeds) {
            Engine.getInstance().setRandomSeed((int) seed);
            try (Model model = BenchmarkData.mlp("mlp-784-128-10");
                    NDManager manager = NDManager.newBaseManager()) {
                ArrayDataset train = BenchmarkData.training(manager, seed).dataset(32, false);
                TuningResult result = AutoBatch.tune(
                        model,
                        train,
                        TuneOptions.builder()
                                .optCache(false)
                                .optTrial(t -> t.optMeasuredSteps(measuredSteps))
                                .build());
                NoiseScale noise = result.noiseScale();
                System.out.printf(
                        Locale.ROOT,
                        "%5d %10.1f %10.1f to %8.1f %6d %11.4g %11.4g %7d %8.1f%n",
                        seed,
                        noise.bSimple(),
                        noise.low(),
                        noise.high(),
                        noise.batchSizes(),
                        noise.gradientSquared(),
                        noise.traceCovariance(),
                        result.batchSize(),
                        result.elapsed().toMillis() / 1000.0);
                smallest = Math.min(smallest, noise.bSimple());
                largest = Math.max(largest, noise.bSimple());
            }
        }
        System.out.printf(Locale.ROOT, "largest / smallest B_simple: %.2f%n%n", largest / smallest);
        overhead(rounds);
    }

    /** Part 2: trials with and without the gradient norm, interleaved. */
    private static void overhead(int rounds) {
        System.out.printf(
                Locale.ROOT,
                "Gradient-norm recording, %d interleaved rounds (alternating order) of 30 measured steps%n",
                rounds);
        System.out.printf(Locale.ROOT, "%8s %16s %16s %8s%n", "batch", "without sps", "with sps", "ratio");
        Engine.getInstance().setRandomSeed(1);
        try (Model without = BenchmarkData.mlp("without");
                Model with = BenchmarkData.mlp("with");
                NDManager manager = NDManager.newBaseManager()) {
            ArrayDataset train = BenchmarkData.training(manager, 1).dataset(32, false);
            try (DjlTrialRunner plain = runner(without, train, false);
                    DjlTrialRunner recording = runner(with, train, true)) {
                for (int batchSize : OVERHEAD_BATCH_SIZES) {
                    double[] a = new double[rounds];
                    double[] b = new double[rounds];
                    for (int round = 0; round < rounds; round++) {
                        // ABBA: whichever runs second in a round gains or loses from the first alike.
                        if (round % 2 == 0) {
                            a[round] = plain.run(batchSize).samplesPerSecond();
                            b[round] = recording.run(batchSize).samplesPerSecond();
                        } else {
                            b[round] = recording.run(batchSize).samplesPerSecond();
                            a[round] = plain.run(batchSize).samplesPerSecond();
                        }
                    }
                    System.out.printf(
                            Locale.ROOT,
                            "%8d %16.0f %16.0f %8.3f%n",
                            batchSize,
                            Medians.of(a),
                            Medians.of(b),
                            Medians.of(b) / Medians.of(a));
                }
            }
        }
    }

    private static DjlTrialRunner runner(Model model, ArrayDataset data, boolean record) {
        return DjlTrialRunner.builder()
                .setModel(model)
                .setDataset(data)
                .optTrialOptions(TrialOptions.builder()
                        .optWarmupSteps(3)
                        .optMeasuredSteps(30)
                        .build())
                .optRecordGradientNorm(record)
                .build();
    }
}
