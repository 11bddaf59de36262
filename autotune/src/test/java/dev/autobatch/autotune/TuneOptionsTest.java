package dev.autobatch.autotune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.autobatch.autotune.search.Goal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class TuneOptionsTest {

    /** For every named option: a text that is not its default, and what its getter then returns. */
    private static final Map<String, Case> CASES = new LinkedHashMap<>();

    static {
        CASES.put("goal", new Case("max-fit", TuneOptions::goal, Goal.MAX_FIT, "fastest"));
        CASES.put("memoryBudget", new Case("1.5g", o -> o.memoryBudget().bytes(), 3L << 29, "half"));
        CASES.put("saturationThreshold", new Case("0.1", TuneOptions::saturationThreshold, 0.1, "1.0"));
        CASES.put("startBatchSize", new Case("4", TuneOptions::startBatchSize, 4, "0"));
        CASES.put("maxBatchSize", new Case("64", o -> o.maxBatchSize().orElseThrow(), 64, "0"));
        CASES.put("warmupSteps", new Case("0", o -> o.trial().warmupSteps(), 0, "-1"));
        CASES.put("measuredSteps", new Case("3", o -> o.trial().measuredSteps(), 3, "0"));
        CASES.put("maxTrialSeconds", new Case("2.5", o -> o.trial().maxTrialSeconds(), 2.5, "NaN"));
        CASES.put("minMeasuredSeconds", new Case("0.5", o -> o.trial().minMeasuredSeconds(), 0.5, "0"));
        CASES.put("targetPrecision", new Case("0.1", o -> o.trial().targetPrecision(), 0.1, "1"));
        CASES.put("timeBudget", new Case("90", TuneOptions::timeBudget, Duration.ofSeconds(90), "-1"));
        CASES.put("referenceBatchSize", new Case("64", TuneOptions::referenceBatchSize, 64, "0"));
        CASES.put(
                "referenceLearningRate",
                new Case("0.1", o -> o.referenceLearningRate().getAsDouble(), 0.1, "-0.1"));
        CASES.put("targetBatchSize", new Case("1024", o -> o.targetBatchSize().orElseThrow(), 1024, "0"));
        CASES.put("reportDirectory", new Case("out/r", o -> o.reportDirectory().orElseThrow(), Path.of("out/r"), null));
        CASES.put("cacheDirectory", new Case("out/c", TuneOptions::cacheDirectory, Path.of("out/c"), null));
        // The build may turn the cache off by default (-Dautobatch.cache=false): set the other value.
        boolean cache = !TuneOptions.defaults().cache();
        CASES.put("cache", new Case(Boolean.toString(cache).toUpperCase(Locale.ROOT), TuneOptions::cache, cache, "no"));
        CASES.put("force", new Case("true", TuneOptions::force, true, "yes"));
    }

    private record Case(String text, Function<TuneOptions, Object> getter, Object expected, String bad) {}

    private static TuneOptions byName(String name, String text) {
        return TuneOptions.builder()
                .fromProperties("autobatch.", Map.of(name, text))
                .build();
    }

    @Test
    void everyNamedOptionIsCovered() {
        assertEquals(CASES.keySet(), TuneOptions.names());
    }

    @Test
    void everyNamedOptionSetsItsOwnValueAndNoOther() {
        TuneOptions defaults = TuneOptions.defaults();
        for (Map.Entry<String, Case> entry : CASES.entrySet()) {
            Case c = entry.getValue();
            TuneOptions options = byName(entry.getKey(), c.text());
            assertEquals(c.expected(), c.getter().apply(options), entry.getKey());
            assertNotEquals(c.getter().apply(options), safely(c.getter(), defaults), entry.getKey());
            for (Map.Entry<String, Case> other : CASES.entrySet()) {
                if (!other.getKey().equals(entry.getKey())) {
                    Function<TuneOptions, Object> getter = other.getValue().getter();
                    assertEquals(
                            safely(getter, defaults),
                            safely(getter, options),
                            entry.getKey() + " set " + other.getKey());
                }
            }
        }
    }

    private static Object safely(Function<TuneOptions, Object> getter, TuneOptions options) {
        try {
            return getter.apply(options);
        } catch (RuntimeException e) {
            return "unset";
        }
    }

    @Test
    void aBadValueNamesTheOptionAsTheEntryPointDoesAndTheText() {
        for (Map.Entry<String, Case> entry : CASES.entrySet()) {
            String bad = entry.getValue().bad();
            if (bad == null) {
                continue;
            }
            String message = assertThrows(IllegalArgumentException.class, () -> byName(entry.getKey(), bad))
                    .getMessage();
            assertTrue(message.startsWith("autobatch." + entry.getKey() + " "), message);
            assertTrue(message.contains(bad), message);
        }
    }

    @Test
    void errorsSayTheFix() {
        assertEquals(
                "autobatch.maxBatchSize must be at least 1, got 0; leave it unset to let the training set's size cap"
                        + " the search",
                assertThrows(IllegalArgumentException.class, () -> byName("maxBatchSize", "0"))
                        .getMessage());
        assertEquals(
                "autobatch.goal must be one of THROUGHPUT, MAX_FIT, GOODPUT, BALANCED, got 'fastest'; BALANCED is the"
                        + " default",
                assertThrows(IllegalArgumentException.class, () -> byName("goal", "fastest"))
                        .getMessage());
        assertEquals(
                "autobatch.warmupSteps must be a whole number, got 'two'",
                assertThrows(IllegalArgumentException.class, () -> byName("warmupSteps", "two"))
                        .getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> byName("maxBatchSize", "1"))
                .getMessage()
                .startsWith("autobatch.maxBatchSize must be at least the first batch size tried, 2, got 1"));
        // The Java API keeps its own words.
        assertEquals(
                "maximum batch size must be at least 1, got 0; leave it unset to let the training set's size cap the"
                        + " search",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> TuneOptions.builder().optMaxBatchSize(0))
                        .getMessage());
    }

    @Test
    void anUnknownNameListsTheOptions() {
        String message = assertThrows(IllegalArgumentException.class, () -> byName("maxBatch", "8"))
                .getMessage();
        assertTrue(
                message.startsWith("autobatch.maxBatch is not an option; the options are goal, memoryBudget"), message);
    }

    @Test
    void blankTextLeavesTheDefault() {
        TuneOptions options = byName("maxBatchSize", " ");
        assertTrue(options.maxBatchSize().isEmpty());
    }

    @Test
    void aFractionOrPercentBudgetSetsTheFraction() {
        assertEquals(0.5, byName("memoryBudget", "50%").memoryBudget().fraction());
        assertFalse(byName("memoryBudget", "0.25").memoryBudget().isBytes());
    }

    @Test
    void timeBudgetReadsIsoDurations() {
        assertEquals(Duration.ofSeconds(90), byName("timeBudget", "PT1M30S").timeBudget());
    }

    /** The cache key's option fields as AutoBatch wrote them before TuneOptions gave them: caches stay valid. */
    @Test
    void cacheFieldsAreThoseStoredCachesWereWrittenWith() {
        assertEquals(
                Map.of(
                        "goal", "BALANCED",
                        "memoryBudget", "fraction 0.8",
                        "saturationThreshold", "0.05",
                        "startBatchSize", "2",
                        "maxBatchSize", "default",
                        "warmupSteps", "2",
                        "measuredSteps", "5",
                        "maxTrialSeconds", "10.0",
                        "timeBudget", "PT1M",
                        "referenceBatchSize", "32"),
                without(TuneOptions.defaults().cacheFields(), "targetBatchSize"));
        assertEquals("none", TuneOptions.defaults().cacheFields().get("targetBatchSize"));
        TuneOptions set = TuneOptions.builder()
                .optGoal(Goal.GOODPUT)
                .optMemoryBudgetBytes(1L << 30)
                .optMaxBatchSize(512)
                .optTargetBatchSize(4096)
                .optTimeBudget(Duration.ofSeconds(90))
                .optTrial(t ->
                        t.optMaxTrialSeconds(2.5).optMinMeasuredSeconds(0.5).optTargetPrecision(0.05))
                .build();
        Map<String, String> fields = set.cacheFields();
        // Keyed only where they are not the default, so the default keys above stay those of stored caches.
        assertEquals("0.5", fields.get("minMeasuredSeconds"));
        assertEquals("0.05", fields.get("targetPrecision"));
        assertEquals("GOODPUT", fields.get("goal"));
        assertEquals("1073741824 bytes", fields.get("memoryBudget"));
        assertEquals("512", fields.get("maxBatchSize"));
        assertEquals("4096", fields.get("targetBatchSize"));
        assertEquals("PT1M30S", fields.get("timeBudget"));
        assertEquals("2.5", fields.get("maxTrialSeconds"));
        assertFalse(fields.containsKey("cache"));
        assertFalse(fields.containsKey("reportDirectory"));
    }

    private static Map<String, String> without(Map<String, String> fields, String name) {
        Map<String, String> copy = new LinkedHashMap<>(fields);
        copy.remove(name);
        return copy;
    }

    @Test
    void optionsDoNotChangeWithTheBuilderAfterBuild() {
        TuneOptions.Builder builder = TuneOptions.builder().optStartBatchSize(4);
        TuneOptions options = builder.build();
        builder.optStartBatchSize(8);
        assertEquals(4, options.startBatchSize());
        assertEquals(8, builder.build().startBatchSize());
        assertEquals(4, options.toBuilder().build().startBatchSize());
    }

    @Test
    void trialOptionsDoNotChangeWithTheBuilderOrACopyAfterBuild() {
        TuneOptions.Builder builder = TuneOptions.builder().optTrial(t -> t.optMeasuredSteps(7));
        TuneOptions options = builder.build();
        TuneOptions.Builder copy = options.toBuilder();

        builder.optTrial(t -> t.optMeasuredSteps(9));
        copy.optTrial(t -> t.optWarmupSteps(0));

        assertEquals(7, options.trial().measuredSteps());
        assertEquals(2, options.trial().warmupSteps());
        assertEquals(9, builder.build().trial().measuredSteps());
        assertEquals(7, copy.build().trial().measuredSteps());
        assertEquals(0, copy.build().trial().warmupSteps());
    }

    @Test
    void aCopyOfOptionsReadByNameStillNamesTrialOptionsAsTheEntryPointDoes() {
        TuneOptions.Builder copy = byName("measuredSteps", "3").toBuilder();

        String message = assertThrows(IllegalArgumentException.class, () -> copy.optTrial(t -> t.optWarmupSteps(-1)))
                .getMessage();

        assertTrue(message.startsWith("autobatch.warmupSteps must be zero or more"), message);
    }
}
