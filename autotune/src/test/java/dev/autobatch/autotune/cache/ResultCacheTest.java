package dev.autobatch.autotune.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.autobatch.autotune.TuningResult;
import dev.autobatch.autotune.search.BatchSizeSearch;
import dev.autobatch.autotune.search.Goal;
import dev.autobatch.core.Trial;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResultCacheTest {

    private static final CacheKey KEY = key("THROUGHPUT");

    @Test
    void aStoredResultIsFoundEqualUnderItsKeyAndMissedUnderAnother(@TempDir Path directory) throws IOException {
        ResultCache cache = new ResultCache(directory.resolve("nested/cache"));
        TuningResult result = result();

        assertEquals(ResultCache.Status.MISS, cache.load(KEY).status());
        Path file = cache.store(KEY, result);

        ResultCache.Lookup hit = cache.load(KEY);
        assertTrue(hit.hit());
        assertEquals(result, hit.result());
        assertEquals(file, hit.file());
        assertEquals(directory.resolve("nested/cache").resolve(KEY.digest() + ".json"), file);
        assertEquals(ResultCache.Status.MISS, cache.load(key("MAX_FIT")).status());
        assertNotEquals(KEY.digest(), key("MAX_FIT").digest());
    }

    @Test
    void aCorruptEntryIsReportedWithoutThrowingAndReplacedByTheNextStore(@TempDir Path directory) throws IOException {
        ResultCache cache = new ResultCache(directory);
        Path file = cache.file(KEY);
        Files.writeString(file, "{\"schema\": \"autobatch-cache/1\", \"key\": ");

        ResultCache.Lookup corrupt = cache.load(KEY);
        assertEquals(ResultCache.Status.CORRUPT, corrupt.status());
        assertTrue(corrupt.problem().startsWith("it is not valid JSON"), corrupt.problem());

        Files.writeString(
                file,
                "{\"schema\": \"autobatch-cache/1\", \"key\": " + keyJson(KEY) + ", \"report\": {"
                        + "\"schema\": \"autobatch-report/1\", \"model\": \"m\"}}");
        ResultCache.Lookup malformed = cache.load(KEY);
        assertEquals(ResultCache.Status.CORRUPT, malformed.status());
        assertTrue(malformed.problem().contains("missing field"), malformed.problem());

        cache.store(KEY, result());
        assertTrue(cache.load(KEY).hit());
    }

    @Test
    void anEntryOfAnotherSchemaOrKeyIsOutdated(@TempDir Path directory) throws IOException {
        ResultCache cache = new ResultCache(directory);
        Path file = cache.store(KEY, result());
        String entry = Files.readString(file);

        Files.writeString(file, entry.replace("autobatch-cache/1", "autobatch-cache/0"));
        ResultCache.Lookup oldCache = cache.load(KEY);
        assertEquals(ResultCache.Status.OUTDATED, oldCache.status());
        assertEquals("its schema is autobatch-cache/0, not autobatch-cache/1", oldCache.problem());

        Files.writeString(file, entry.replace("autobatch-report/1", "autobatch-report/0"));
        assertEquals(ResultCache.Status.OUTDATED, cache.load(KEY).status());

        Files.writeString(file, entry.replace("\"options.goal\": \"THROUGHPUT\"", "\"options.goal\": \"MAX_FIT\""));
        ResultCache.Lookup otherKey = cache.load(KEY);
        assertEquals(ResultCache.Status.OUTDATED, otherKey.status());
        assertEquals("it was stored under another key", otherKey.problem());
    }

    @Test
    void anEntryThatParsesButHoldsNonsenseIsCorruptNotAHit(@TempDir Path directory) throws IOException {
        ResultCache cache = new ResultCache(directory);
        Path file = cache.store(KEY, result());
        String entry = Files.readString(file);

        Files.writeString(file, entry.replace("\"model\": \"unknown\"", "\"model\": null"));
        ResultCache.Lookup nullModel = cache.load(KEY);
        Files.writeString(file, entry.replaceFirst("\"verdict\": \"[^\"]*\"", "\"verdict\": null"));
        ResultCache.Lookup nullVerdict = cache.load(KEY);
        Files.writeString(file, entry.replaceFirst("(\"choice\": \\{\\s*\"batchSize\": )\\d+", "$11e30"));
        ResultCache.Lookup hugeSize = cache.load(KEY);

        assertEquals(ResultCache.Status.CORRUPT, nullModel.status());
        assertTrue(nullModel.problem().contains("field \"model\" must be text"), nullModel.problem());
        assertEquals(ResultCache.Status.CORRUPT, nullVerdict.status());
        assertTrue(nullVerdict.problem().contains("field \"verdict\" must be text"), nullVerdict.problem());
        assertEquals(ResultCache.Status.CORRUPT, hugeSize.status());
        assertTrue(
                hugeSize.problem().contains("must be a whole number from 1 to 2147483647, got 1e30"),
                hugeSize.problem());
        assertEquals(null, hugeSize.result());
    }

    @Test
    void storingLeavesNoTemporaryFileAndReplacesTheOldEntry(@TempDir Path directory) throws IOException {
        ResultCache cache = new ResultCache(directory);
        cache.store(KEY, result());
        TuningResult second = BatchSizeSearch.builder()
                .optGoal(Goal.MAX_FIT)
                .optMaxBatchSize(64)
                .build()
                .run(b -> Trial.measured(b, 10.0 * b, 1000L * b));
        cache.store(KEY, second);

        assertEquals(second, cache.load(KEY).result());
        try (Stream<Path> files = Files.list(directory)) {
            assertEquals(1, files.count(), "one entry, no temporary file");
        }
    }

    @Test
    void aKeyIsItsSortedFieldsAndItsDigestIsStable() {
        TreeMap<String, String> fields = new TreeMap<>(Map.of("b", "2", "a", "1"));
        CacheKey key = new CacheKey(fields);
        fields.put("c", "3");

        assertEquals(2, key.fields().size(), "the key copies its fields");
        assertEquals(key, new CacheKey(new TreeMap<>(Map.of("a", "1", "b", "2"))));
        assertEquals(key.digest(), new CacheKey(new TreeMap<>(Map.of("a", "1", "b", "2"))).digest());
        assertEquals(64, key.digest().length());
        assertFalse(key.digest().equals(new CacheKey(new TreeMap<>(Map.of("a", "1", "b", "3"))).digest()));
    }

    private static TuningResult result() {
        return BatchSizeSearch.builder()
                .optMaxBatchSize(1024)
                .build()
                .run(b -> Trial.measured(b, 1000.0 * b / (b + 32), 1_000_000L * b)
                        .withGradientNorm(0.5 + 100.0 / b, 30.0 / b));
    }

    private static CacheKey key(String goal) {
        return new CacheKey(new TreeMap<>(
                Map.of("hardware.cpuModel", "Test CPU", "model.parameters", "w(784, 128)", "options.goal", goal)));
    }

    private static String keyJson(CacheKey key) {
        StringBuilder json = new StringBuilder("{");
        key.fields()
                .forEach((name, value) -> json.append(json.length() > 1 ? ", " : "")
                        .append('"')
                        .append(name)
                        .append("\": \"")
                        .append(value)
                        .append('"'));
        return json.append('}').toString();
    }
}
