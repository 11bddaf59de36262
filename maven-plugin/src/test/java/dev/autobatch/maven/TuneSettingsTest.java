package dev.autobatch.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.training.TrainingConfig;
import dev.autobatch.autotune.TuneOptions;
import dev.autobatch.autotune.TuningListener;
import dev.autobatch.autotune.search.Goal;
import dev.autobatch.core.DjlTrialRunner;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TuneSettingsTest {

    /** The goal's parameters by option name, as TuneMojo's defaults give them. */
    private static Map<String, String> parameters(
            String goal, String budget, String threshold, String max, String warmup, String measured) {
        Map<String, String> options = new LinkedHashMap<>();
        options.put("goal", goal);
        options.put("memoryBudget", budget);
        options.put("saturationThreshold", threshold);
        options.put("maxBatchSize", max);
        options.put("warmupSteps", warmup);
        options.put("measuredSteps", measured);
        return options;
    }

    private static TuneSettings defaults(String target) {
        return new TuneSettings(target, parameters("BALANCED", "0.8", "0.05", null, "2", "5"));
    }

    private static TuneSettings with(String name, String text) {
        Map<String, String> options = parameters("BALANCED", "0.8", "0.05", null, "2", "5");
        options.put(name, text);
        return new TuneSettings("a.B", options);
    }

    private static String messageOf(Runnable parse) {
        return assertThrows(IllegalArgumentException.class, parse::run).getMessage();
    }

    @Test
    void missingTargetSaysHowToSetIt() {
        String expected = "No tuning target configured. Set <target> (or -Dautobatch.target) to a class"
                + " implementing dev.autobatch.autotune.TuningTarget.";
        assertEquals(expected, messageOf(() -> defaults(null)));
        assertEquals(expected, messageOf(() -> defaults("  ")));
    }

    @Test
    void goalIgnoresCaseAndAcceptsDashes() {
        assertEquals(Goal.MAX_FIT, with("goal", "max-fit").goal());
        assertEquals(Goal.THROUGHPUT, with("goal", " throughput ").goal());
        assertEquals(Goal.GOODPUT, with("goal", "goodput").goal());
    }

    @Test
    void unknownGoalListsEveryGoalOfTheEnum() {
        assertEquals(
                "autobatch.goal must be one of THROUGHPUT, MAX_FIT, GOODPUT, BALANCED, got 'fastest'; BALANCED is the"
                        + " default",
                messageOf(() -> with("goal", "fastest")));
    }

    @Test
    void outOfRangeNumbersNameTheirProperty() {
        assertTrue(messageOf(() -> with("saturationThreshold", "1.0"))
                .startsWith("autobatch.saturationThreshold must be in (0, 1), got 1.0;"));
        assertEquals(
                "autobatch.maxBatchSize must be at least 1, got 0; leave it unset to let the training set's size cap"
                        + " the search",
                messageOf(() -> with("maxBatchSize", "0")));
        assertTrue(messageOf(() -> with("maxBatchSize", "1"))
                .startsWith("autobatch.maxBatchSize must be at least the first batch size tried, 2, got 1"));
        assertTrue(messageOf(() -> with("warmupSteps", "-1"))
                .startsWith("autobatch.warmupSteps must be zero or more, got -1"));
        assertTrue(messageOf(() -> with("measuredSteps", "0"))
                .startsWith("autobatch.measuredSteps must be at least 1, got 0;"));
    }

    @Test
    void badBudgetNamesItsProperty() {
        assertTrue(messageOf(() -> with("memoryBudget", "lots")).startsWith("autobatch.memoryBudget must be"));
    }

    @Test
    void anOptionOfTuneOptionsWithoutAParameterOfItsOwnIsStillNamedAsTheBuildDoes() {
        assertTrue(messageOf(() -> with("targetBatchSize", "0"))
                .startsWith("autobatch.targetBatchSize must be at least 1"));
        assertTrue(messageOf(() -> with("noSuchOption", "1")).startsWith("autobatch.noSuchOption is not an option"));
    }

    @Test
    void mapReadsBackToEqualSettings() {
        TuneSettings settings =
                new TuneSettings("com.example.Mlp", parameters("MAX_FIT", "1.5g", "0.1", "64", "0", "3"));
        assertEquals(settings, TuneSettings.fromMap(settings.toMap()));
        TuneSettings unbounded = defaults("com.example.Mlp");
        assertEquals(unbounded, TuneSettings.fromMap(unbounded.toMap()));
    }

    @Test
    void theForksOwnKeysAreNotOptions() {
        Map<String, String> map = new HashMap<>(defaults("a.B").toMap());
        map.put(ForkedTuning.OUTPUT_DIRECTORY, "out");
        map.put(ForkedTuning.CLASSPATH_SCOPE, "test");
        assertEquals(defaults("a.B"), TuneSettings.fromMap(map));
    }

    @Test
    void mapWithTextWhereANumberBelongsNamesTheKey() {
        Map<String, String> map = new HashMap<>(defaults("a.B").toMap());
        map.put("warmupSteps", "two");
        assertEquals(
                "autobatch.warmupSteps must be a whole number, got 'two'", messageOf(() -> TuneSettings.fromMap(map)));
    }

    @Test
    void optionsCarryEverySetting() {
        TrainingConfig config = DjlTrialRunner.defaultTrainingConfig();
        TuningListener listener = (trial, verdict) -> {};
        TuneOptions options = new TuneSettings("a.B", parameters("MAX_FIT", "2g", "0.1", "64", "1", "3"))
                .toOptions(Optional.of(config), listener, Path.of("target/autobatch"));
        assertEquals(Goal.MAX_FIT, options.goal());
        assertEquals(2L << 30, options.memoryBudget().bytes());
        assertEquals(0.1, options.saturationThreshold());
        assertEquals(64, options.maxBatchSize().orElseThrow());
        assertEquals(1, options.trial().warmupSteps());
        assertEquals(3, options.trial().measuredSteps());
        assertEquals(
                config, options.trial().trainingConfigSupplier().orElseThrow().get());
        assertEquals(listener, options.listener());
        assertEquals(Path.of("target/autobatch"), options.reportDirectory().orElseThrow());
        assertTrue(!options.cache());
    }

    @Test
    void defaultsLeaveTheDefaultsOfTuneOptions() {
        TuneOptions options = defaults("a.B").toOptions(Optional.empty(), TuningListener.NONE, Path.of("out"));
        TuneOptions expected = TuneOptions.defaults();
        assertEquals(expected.goal(), options.goal());
        assertEquals(expected.memoryBudget(), options.memoryBudget());
        assertFalse(options.memoryBudget().isBytes());
        assertTrue(options.maxBatchSize().isEmpty());
        assertTrue(options.trial().trainingConfig().isEmpty());
        assertTrue(options.trial().trainingConfigSupplier().isEmpty());
        assertEquals(expected.trial().warmupSteps(), options.trial().warmupSteps());
        assertEquals(expected.trial().measuredSteps(), options.trial().measuredSteps());
        assertEquals(expected.cacheFields(), options.cacheFields());
    }

    @Test
    void describesTheSettingsForTheBuildLog() {
        assertEquals(
                "goal BALANCED, memory budget 80% of the available memory, saturation threshold 0.05, maximum batch"
                        + " size from the data, 2 warm-up and 5 measured steps a trial",
                defaults("a.B").describe());
        assertEquals(
                "goal MAX_FIT, memory budget 1.5 GiB, saturation threshold 0.1, maximum batch size 64, 0 warm-up and 3"
                        + " measured steps a trial",
                new TuneSettings("a.B", parameters("MAX_FIT", "1.5g", "0.1", "64", "0", "3")).describe());
    }
}
