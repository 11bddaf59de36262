package dev.autobatch.examples.benchmark;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.training.dataset.ArrayDataset;
import dev.autobatch.autotune.AutoBatch;
import dev.autobatch.autotune.TuneOptions;
import dev.autobatch.autotune.TuningResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Wall time of {@code AutoBatch.tune} when the result is cached: the 784-128-10 MLP on
 * Fashion-MNIST, tuned into a cache directory, then tuned again. Run it twice with the same
 * directory to time a hit in a fresh process as well (its first call then hits).
 *
 * <p>Run: {@code java -cp ... dev.autobatch.examples.benchmark.CacheBenchmark [cache-directory]
 * [repeats]} (default: a new temporary directory, 5 repeats).
 */
public final class CacheBenchmark {

    private CacheBenchmark() {}

    /**
     * Tunes once, then {@code repeats} more times, and prints each call's wall time and trials.
     *
     * @param args optional cache directory and number of repeats
     * @throws IOException if the cache directory cannot be created
     */
    public static void main(String[] args) throws IOException {
        Path cache = args.length > 0 ? Path.of(args[0]) : Files.createTempDirectory("autobatch-cache");
        int repeats = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        System.out.printf(
                Locale.ROOT, "cache %s, %d CPUs%n", cache, Runtime.getRuntime().availableProcessors());
        Engine.getInstance().setRandomSeed(1);
        try (Model model = BenchmarkData.mlp("mlp-784-128-10");
                NDManager manager = NDManager.newBaseManager()) {
            ArrayDataset train = BenchmarkData.training(manager, 1).dataset(32, false);
            TuningResult first = null;
            for (int call = 0; call <= repeats; call++) {
                AtomicInteger trials = new AtomicInteger();
                TuneOptions options = TuneOptions.builder()
                        .optCache(true)
                        .optCacheDirectory(cache)
                        .optListener((trial, verdict) -> trials.incrementAndGet())
                        .build();
                long start = System.nanoTime();
                TuningResult result = AutoBatch.tune(model, train, options);
                double seconds = (System.nanoTime() - start) / 1e9;
                if (first == null) {
                    first = result;
                }
                System.out.printf(
                        Locale.ROOT,
                        "call %d: %.3f s, %d trials run, batch size %d, equal to the first: %s%n",
                        call + 1,
                        seconds,
                        trials.get(),
                        result.batchSize(),
                        result.equals(first));
            }
        }
    }
}
