package dev.autobatch.autotune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.training.dataset.ArrayDataset;
import dev.autobatch.autotune.advice.LearningRateAdvice;
import dev.autobatch.autotune.cache.ResultCache;
import dev.autobatch.autotune.search.Goal;
import dev.autobatch.core.TestModels;
import dev.autobatch.core.Trial;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real CPU tunings of a small MLP against a cache in a temporary directory. */
class AutoBatchCacheTest {

    @Test
    void aSecondTuningOfTheSameModelReturnsTheCachedResultWithoutRunningATrial(@TempDir Path cache) {
        try (Model model = TestModels.model("mlp", TestModels.mlp(32, 10))) {
            ArrayDataset data = TestModels.randomData(model.getNDManager(), 1024, 784, 10);
            List<Trial> first = new ArrayList<>();
            List<Trial> second = new ArrayList<>();

            TuningResult tuned =
                    AutoBatch.tune(model, data, options(cache, first).build());
            TuningResult cached =
                    AutoBatch.tune(model, data, options(cache, second).build());

            assertFalse(first.isEmpty());
            assertTrue(second.isEmpty(), () -> "the second tuning ran trials: " + second);
            assertEquals(TuningResult.Source.MEASURED, tuned.source());
            assertEquals(TuningResult.Source.CACHED, cached.source());
            assertSameApartFromTheSource(tuned, cached);
            assertEquals(1, entries(cache).size());
        }
    }

    @Test
    void forceTunesAgainAndItsResultReplacesTheCachedOne(@TempDir Path cache) {
        try (Model model = TestModels.model("mlp", TestModels.mlp(32, 10))) {
            ArrayDataset data = TestModels.randomData(model.getNDManager(), 1024, 784, 10);
            AutoBatch.tune(model, data, options(cache, new ArrayList<>()).build());
            List<Trial> forced = new ArrayList<>();
            List<Trial> after = new ArrayList<>();

            TuningResult again = AutoBatch.tune(
                    model, data, options(cache, forced).optForce(true).build());
            TuningResult cached =
                    AutoBatch.tune(model, data, options(cache, after).build());

            assertFalse(forced.isEmpty(), "force runs the trials");
            assertTrue(after.isEmpty());
            assertEquals(TuningResult.Source.MEASURED, again.source(), "force measures");
            assertSameApartFromTheSource(again, cached);
        }
    }

    @Test
    void aCorruptOrOutdatedEntryIsIgnoredAndReplaced(@TempDir Path cache) throws IOException {
        try (Model model = TestModels.model("mlp", TestModels.mlp(32, 10))) {
            ArrayDataset data = TestModels.randomData(model.getNDManager(), 1024, 784, 10);
            AutoBatch.tune(model, data, options(cache, new ArrayList<>()).build());
            Path entry = entries(cache).get(0);
            String valid = Files.readString(entry);

            List<String> bads = List.of(
                    "{ not json",
                    valid.replace(ResultCache.SCHEMA, "autobatch-cache/0"),
                    // Entries that parse but hold nonsense: once they crashed every later run.
                    valid.replace("\"model\": \"mlp\"", "\"model\": null"),
                    valid.replaceFirst("(\"choice\": \\{\\s*\"batchSize\": )\\d+", "$11e30"));
            assertTrue(
                    bads.stream().skip(2).noneMatch(valid::equals), "each nonsense entry differs from the valid one");
            for (String bad : bads) {
                Files.writeString(entry, bad);
                List<Trial> heard = new ArrayList<>();
                TuningResult tuned =
                        AutoBatch.tune(model, data, options(cache, heard).build());
                List<Trial> after = new ArrayList<>();
                TuningResult cached =
                        AutoBatch.tune(model, data, options(cache, after).build());

                assertFalse(heard.isEmpty(), "a bad entry is not used");
                assertTrue(after.isEmpty(), "the bad entry was replaced by a good one");
                assertSameApartFromTheSource(tuned, cached);
            }
        }
    }

    @Test
    void anotherGoalOrModelMissesAndNoCacheWritesNothing(@TempDir Path cache) {
        try (Model model = TestModels.model("mlp", TestModels.mlp(32, 10));
                Model wider = TestModels.model("mlp", TestModels.mlp(48, 10))) {
            ArrayDataset data = TestModels.randomData(model.getNDManager(), 1024, 784, 10);
            AutoBatch.tune(model, data, options(cache, new ArrayList<>()).build());
            List<Trial> otherGoal = new ArrayList<>();
            List<Trial> otherModel = new ArrayList<>();

            AutoBatch.tune(
                    model, data, options(cache, otherGoal).optGoal(Goal.MAX_FIT).build());
            AutoBatch.tune(wider, data, options(cache, otherModel).build());

            assertFalse(otherGoal.isEmpty());
            assertFalse(otherModel.isEmpty());
            assertEquals(3, entries(cache).size());
            Path off = cache.resolve("off");
            AutoBatch.tune(
                    model, data, options(off, new ArrayList<>()).optCache(false).build());
            assertFalse(Files.exists(off), "optCache(false) writes nothing");
        }
    }

    @Test
    void everyTrialRecordsGradientNormsAndTheResultAdvisesTheRateForTheTarget(@TempDir Path cache) {
        try (Model model = TestModels.model("mlp", TestModels.mlp(64, 10))) {
            ArrayDataset data = TestModels.randomData(model.getNDManager(), 4096, 784, 10);

            TuningResult result = AutoBatch.tune(
                    model,
                    data,
                    options(cache, new ArrayList<>())
                            .optGoal(Goal.GOODPUT)
                            .optTargetBatchSize(512)
                            .build());

            assertTrue(result.trials().stream().filter(Trial::ok).allMatch(Trial::hasGradientNorm), result::toString);
            assertTrue(result.noiseScale().batchSizes() >= 2, result::toString);
            assertEquals(512, result.accumulation().globalBatchSize(), result::toString);
            LearningRateAdvice advice = result.learningRate();
            assertEquals(LearningRateAdvice.Rule.LINEAR, advice.rule());
            assertEquals("read from the optimizer", advice.referenceSource());
            assertEquals(0.01, advice.referenceLearningRate(), 1e-7);
            assertEquals(512, advice.batchSize());
            assertEquals(0.16, advice.learningRate(), 1e-6);
            assertEquals(Goal.GOODPUT, result.settings().goal());
        }
    }

    private static TuneOptions.Builder options(Path cache, List<Trial> heard) {
        return TuneOptions.builder()
                .optTrial(t -> t.optMeasuredSteps(2))
                .optMaxBatchSize(128)
                .optCache(true)
                .optCacheDirectory(cache)
                .optListener((trial, verdict) -> heard.add(trial));
    }

    private static List<Path> entries(Path cache) {
        try (Stream<Path> files = Files.list(cache)) {
            return files.filter(f -> f.toString().endsWith(".json")).toList();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** A cached result is the stored one, marked as read from the cache. */
    private static void assertSameApartFromTheSource(TuningResult measured, TuningResult cached) {
        assertEquals(TuningResult.Source.CACHED, cached.source());
        assertEquals(
                measured,
                new TuningResult(
                        cached.batchSize(),
                        cached.stopReason(),
                        cached.trials(),
                        cached.settings(),
                        cached.elapsed(),
                        cached.context(),
                        cached.verdicts(),
                        cached.noiseScale(),
                        cached.accumulation(),
                        cached.learningRate(),
                        cached.explanation(),
                        TuningResult.Source.MEASURED));
    }
}
