package dev.autobatch.examples.benchmark;

import ai.djl.Model;
import ai.djl.ndarray.NDManager;
import dev.autobatch.autotune.AutoBatch;
import dev.autobatch.autotune.TuneOptions;
import dev.autobatch.autotune.TuningResult;
import dev.autobatch.autotune.search.Goal;
import dev.autobatch.autotune.search.SearchSettings;
import dev.autobatch.core.DjlTrialRunner;
import dev.autobatch.core.Trial;
import dev.autobatch.core.TrialOptions;
import dev.autobatch.examples.data.FashionMnist;
import dev.autobatch.examples.training.ModelKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;

/**
 * Can a user trust the choice? {@code AutoBatch.tune} of the 784-128-10 MLP on Fashion-MNIST, ten
 * times in a row with the cache off, each choice judged against a careful sweep measured in the
 * same program: every power of two from 2 up to the data cap (a quarter of the 60,000 images) and
 * the cap itself, each trial at least 20 measured steps and 0.3 s, in interleaved rounds (smallest
 * first, then largest first, ...) run between the tunings, so that the machine's drift falls on the
 * sweep and the tunings alike. A sweep size's throughput is the median over the rounds.
 *
 * <p>A choice is trustworthy when its sweep throughput is within 7% of the sweep's best and it is
 * at most twice the knee, the smallest power of two within 5% of the best. The program prints one
 * row a tuning, the sweep, and how many of the choices were trustworthy; it exits 1 when fewer than
 * nine of ten were.
 *
 * <p>Run (see the README): {@code java -cp ... dev.autobatch.examples.benchmark.ChoiceBenchmark
 * [tunings, default 10] [goal, default THROUGHPUT]}.
 */
public final class ChoiceBenchmark {

    private static final double SHARE_OF_BEST = 0.93;

    private ChoiceBenchmark() {}

    /**
     * Runs the benchmark.
     *
     * @param args optional: the number of tunings (default 10) and the goal (default THROUGHPUT)
     */
    public static void main(String[] args) {
        int tunings = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        Goal goal = args.length > 1 ? Goal.valueOf(args[1].toUpperCase(Locale.ROOT)) : Goal.THROUGHPUT;
        try (NDManager manager = NDManager.newBaseManager()) {
            FashionMnist data = FashionMnist.load(
                    FashionMnist.DEFAULT_DIRECTORY, manager, FashionMnist.Layout.FLAT, Integer.MAX_VALUE);
            int cap = (int) (data.train().size() / SearchSettings.DATASET_CAP_DIVISOR);
            List<Integer> sizes = new ArrayList<>();
            for (int b = 2; b < cap; b *= 2) {
                sizes.add(b);
            }
            sizes.add(cap);
            System.out.printf(
                    Locale.ROOT,
                    "784-128-10 MLP, SGD 0.01, Fashion-MNIST; %d tunings (%s), sweep %s;"
                            + " %d CPUs, PyTorch threads %s%n",
                    tunings,
                    goal,
                    sizes,
                    Runtime.getRuntime().availableProcessors(),
                    System.getProperty("ai.djl.pytorch.num_threads", "default"));

            TreeMap<Integer, List<Double>> sweep = new TreeMap<>();
            List<TuningResult> results = new ArrayList<>();
            try (Model model = ModelKind.MLP.newModel("sweep", 42);
                    DjlTrialRunner runner = DjlTrialRunner.builder()
                            .setModel(model)
                            .setDataset(data.train())
                            .optTrialOptions(TrialOptions.builder()
                                    .optWarmupSteps(3)
                                    .optMeasuredSteps(20)
                                    .optMinMeasuredSeconds(0.3)
                                    .build())
                            .build()) {
                for (int round = 0; round < tunings; round++) {
                    List<Integer> order = new ArrayList<>(sizes);
                    if (round % 2 == 1) {
                        java.util.Collections.reverse(order);
                    }
                    for (int size : order) {
                        Trial trial = runner.run(size);
                        if (trial.ok()) {
                            sweep.computeIfAbsent(size, k -> new ArrayList<>()).add(trial.samplesPerSecond());
                        }
                    }
                    long start = System.nanoTime();
                    try (Model tuned = ModelKind.MLP.newModel("mlp", 42)) {
                        TuningResult result = AutoBatch.tune(
                                tuned,
                                data.train(),
                                TuneOptions.builder()
                                        .optGoal(goal)
                                        .optCache(false)
                                        .build());
                        results.add(result);
                        System.out.printf(
                                Locale.ROOT,
                                "tuning %d: batch size %,d, %d trials, %.1f s%n",
                                round + 1,
                                result.batchSize(),
                                result.trials().size(),
                                (System.nanoTime() - start) / 1e9);
                    }
                }
            }
            TreeMap<Integer, Double> medians = new TreeMap<>();
            sweep.forEach((size, values) -> medians.put(
                    size, Medians.of(values.stream().mapToDouble(v -> v).toArray())));
            double best = medians.values().stream().mapToDouble(v -> v).max().orElseThrow();
            int knee = medians.entrySet().stream()
                    .filter(e -> e.getValue() >= 0.95 * best)
                    .mapToInt(e -> e.getKey())
                    .min()
                    .orElseThrow();
            System.out.println();
            System.out.println("| batch size | samples/s, sweep median | share of the best |");
            System.out.println("| ---: | ---: | ---: |");
            medians.forEach((size, median) -> System.out.printf(
                    Locale.ROOT,
                    "| %,d%s | %,.0f | %.1f%% |%n",
                    size,
                    size == knee ? " (knee)" : "",
                    median,
                    100 * median / best));
            System.out.println();
            System.out.println(
                    "| tuning | chosen | share of the sweep's best | times the knee | trustworthy | tuning time |");
            System.out.println("| ---: | ---: | ---: | ---: | --- | ---: |");
            int trustworthy = 0;
            for (int i = 0; i < results.size(); i++) {
                TuningResult result = results.get(i);
                double share = shareAt(medians, result.batchSize()) / best;
                boolean ok = share >= SHARE_OF_BEST && result.batchSize() <= 2 * knee;
                trustworthy += ok ? 1 : 0;
                System.out.printf(
                        Locale.ROOT,
                        "| %d | %,d | %.1f%% | %.2f | %s | %.1f s |%n",
                        i + 1,
                        result.batchSize(),
                        100 * share,
                        (double) result.batchSize() / knee,
                        ok ? "yes" : "no",
                        result.elapsed().toMillis() / 1000.0);
            }
            System.out.printf(
                    Locale.ROOT,
                    "%n%d of %d choices within %.0f%% of the sweep's best and at most twice the" + " knee (%,d)%n",
                    trustworthy,
                    results.size(),
                    100 * (1 - SHARE_OF_BEST),
                    knee);
            if (10 * trustworthy < 9 * results.size()) {
                System.exit(1);
            }
        }
    }

    /**
     * The sweep's throughput at a size: measured where the sweep ran it, else interpolated in step
     * time between the sweep's neighbours (step time is close to linear between two nearby sizes).
     */
    private static double shareAt(TreeMap<Integer, Double> medians, int size) {
        Double exact = medians.get(size);
        if (exact != null) {
            return exact;
        }
        Integer below = medians.floorKey(size);
        Integer above = medians.ceilingKey(size);
        if (below == null || above == null) {
            return medians.get(below == null ? above : below);
        }
        double lowStep = below / medians.get(below);
        double highStep = above / medians.get(above);
        double step = lowStep + (highStep - lowStep) * (size - below) / (above - below);
        return size / step;
    }
}
