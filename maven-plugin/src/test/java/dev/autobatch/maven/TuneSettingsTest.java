package dev.autobatch.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.training.TrainingConfig;
import dev.autobatch.autotune.TuneOptions;
import dev.autobatch.autotune.TuningListener;
import dev.autobatch.autotune.search.Goal;
import dev.autobatch.core.DjlTrialRunner;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TuneSettingsTest {

    private static TuneSettings defaults(String target) {
        return TuneSettings.of(target, "BALANCED", "0.8", 0.05, null, 2, 5); // as TuneMojo's defaults
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
        assertEquals(
                Goal.MAX_FIT,
                TuneSettings.of("a.B", "max-fit", null, 0.05, null, 2, 5).goal());
        assertEquals(
                Goal.THROUGHPUT,
                TuneSettings.of("a.B", " throughput ", null, 0.05, null, 2, 5).goal());
    }

    @Test
    void unknownGoalListsTheGoals() {
        String message = messageOf(() -> TuneSettings.of("a.B", "fastest", null, 0.05, null, 2, 5));
        assertEquals(
                "autobatch.goal must be one of THROUGHPUT, MAX_FIT, GOODPUT, BALANCED, got 'fastest'. BALANCED is the default.",
                message);
    }

    @Test
    void outOfRangeNumbersNameTheirProperty() {
        assertTrue(messageOf(() -> TuneSettings.of("a.B", "THROUGHPUT", null, 1.0, null, 2, 5))
                .startsWith("autobatch.saturationThreshold must be in (0, 1), got 1.0."));
        assertTrue(messageOf(() -> TuneSettings.of("a.B", "THROUGHPUT", null, 0.05, 0, 2, 5))
                .startsWith("autobatch.maxBatchSize must be at least 1, got 0."));
        assertTrue(messageOf(() -> TuneSettings.of("a.B", "THROUGHPUT", null, 0.05, 1, 2, 5))
                .startsWith("autobatch.maxBatchSize must be at least the first batch size tried"));
        assertTrue(messageOf(() -> TuneSettings.of("a.B", "THROUGHPUT", null, 0.05, null, -1, 5))
                .startsWith("autobatch.warmupSteps must be zero or more, got -1."));
        assertTrue(messageOf(() -> TuneSettings.of("a.B", "THROUGHPUT", null, 0.05, null, 2, 0))
                .startsWith("autobatch.measuredSteps must be at least 1, got 0."));
    }

    @Test
    void badBudgetNamesItsProperty() {
        assertTrue(messageOf(() -> TuneSettings.of("a.B", "THROUGHPUT", "lots", 0.05, null, 2, 5))
                .startsWith("autobatch.memoryBudget must be"));
    }

    @Test
    void mapReadsBackToEqualSettings() {
        TuneSettings settings = TuneSettings.of("com.example.Mlp", "MAX_FIT", "1.5g", 0.1, 64, 0, 3);
        assertEquals(settings, TuneSettings.fromMap(settings.toMap()));
        TuneSettings unbounded = defaults("com.example.Mlp");
        assertEquals(unbounded, TuneSettings.fromMap(unbounded.toMap()));
    }

    @Test
    void mapWithTextWhereANumberBelongsNamesTheKey() {
        var map = new java.util.HashMap<>(defaults("a.B").toMap());
        map.put(TuneSettings.WARMUP_STEPS, "two");
        assertEquals(
                "autobatch.warmupSteps must be a whole number, got 'two'.", messageOf(() -> TuneSettings.fromMap(map)));
    }

    @Test
    void optionsCarryEverySetting() {
        TrainingConfig config = DjlTrialRunner.defaultTrainingConfig();
        TuningListener listener = (trial, verdict) -> {};
        TuneOptions options = TuneSettings.of("a.B", "MAX_FIT", "2g", 0.1, 64, 1, 3)
                .toOptions(Optional.of(config), listener, Path.of("target/autobatch"));
        assertEquals(Goal.MAX_FIT, options.goal());
        assertEquals(2L << 30, options.memoryBudgetBytes().orElseThrow());
        assertEquals(0.1, options.saturationThreshold());
        assertEquals(64, options.maxBatchSize().orElseThrow());
        assertEquals(1, options.warmupSteps());
        assertEquals(3, options.measuredSteps());
        assertEquals(config, options.trainingConfigSupplier().orElseThrow().get());
        assertEquals(listener, options.listener());
        assertEquals(Path.of("target/autobatch"), options.reportDirectory().orElseThrow());
    }

    @Test
    void defaultsLeaveTheDefaultsOfTuneOptions() {
        TuneOptions options = defaults("a.B").toOptions(Optional.empty(), TuningListener.NONE, Path.of("out"));
        TuneOptions expected = TuneOptions.defaults();
        assertEquals(expected.goal(), options.goal());
        assertEquals(expected.memoryFraction(), options.memoryFraction());
        assertTrue(options.memoryBudgetBytes().isEmpty());
        assertTrue(options.maxBatchSize().isEmpty());
        assertTrue(options.trainingConfig().isEmpty());
        assertTrue(options.trainingConfigSupplier().isEmpty());
        assertEquals(expected.warmupSteps(), options.warmupSteps());
        assertEquals(expected.measuredSteps(), options.measuredSteps());
    }
}
