package dev.autobatch.autotune.cache;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.autobatch.autotune.TuningResult;
import dev.autobatch.autotune.report.AtomicFiles;
import dev.autobatch.autotune.report.ReportJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tuning results stored on disk, one file an entry, named by its {@link CacheKey#digest()}.
 *
 * <p>An entry is UTF-8 JSON, schema {@value #SCHEMA}: {@code schema}, {@code key} (the key's
 * fields, so a digest collision or a change in what keys hold is caught), {@code storedAt} (an
 * ISO-8601 instant) and {@code report}, the result as {@code report.json} writes it ({@link
 * ReportJson}, which reads back exactly the result it wrote). An entry is written to a temporary
 * file in the same directory and renamed over the old one ({@link AtomicFiles}), so a reader sees
 * the old entry or the new one, never half of one.
 *
 * <p>{@link #load} never throws for a bad entry: an entry that cannot be parsed is {@link
 * Status#CORRUPT}, one of another schema, another report schema or another key is {@link
 * Status#OUTDATED}; both are logged as a warning and left for the next {@link #store} to replace.
 */
public final class ResultCache {

    /** The system property that moves the default cache directory, such as for a build's tests. */
    public static final String DIRECTORY_PROPERTY = "autobatch.cache.dir";

    /**
     * The system property that turns the cache off by default when {@code "false"}, such as for a
     * build's tests; {@code TuneOptions.Builder.optCache(boolean)} still decides for one tuning.
     */
    public static final String ENABLED_PROPERTY = "autobatch.cache";

    /**
     * Returns where results are cached unless the options say otherwise: the system property
     * {@value #DIRECTORY_PROPERTY} if set; else {@code autobatch} under {@code $XDG_CACHE_HOME} if
     * that is an absolute path; else {@code ~/.cache/autobatch}.
     *
     * @return the directory, which need not exist yet
     */
    public static Path defaultDirectory() {
        String property = System.getProperty(DIRECTORY_PROPERTY);
        if (property != null && !property.isBlank()) {
            return Path.of(property);
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()) {
            return Path.of(xdg, "autobatch");
        }
        return Path.of(System.getProperty("user.home"), ".cache", "autobatch");
    }

    /**
     * Returns whether tunings use the cache unless the options say otherwise: yes, but where the
     * system property {@value #ENABLED_PROPERTY} is {@code "false"}.
     *
     * @return the default of {@code optCache}
     */
    public static boolean enabledByDefault() {
        return !"false"
                .equalsIgnoreCase(System.getProperty(ENABLED_PROPERTY, "true").trim());
    }

    /** The schema of a cache entry. An entry of another schema is outdated. */
    public static final String SCHEMA = "autobatch-cache/1";

    private static final Logger LOG = LoggerFactory.getLogger(ResultCache.class);

    private final Path directory;

    /**
     * A cache in a directory, which is created when the first entry is stored.
     *
     * @param directory the directory
     */
    public ResultCache(Path directory) {
        this.directory = Objects.requireNonNull(directory, "directory");
    }

    /** What a lookup found. */
    public enum Status {
        /** An entry for the key: its result is returned. */
        HIT,
        /** No entry for the key. */
        MISS,
        /** An entry that cannot be read: not JSON, or a field missing or malformed. */
        CORRUPT,
        /** An entry of another cache or report schema, or stored under another key. */
        OUTDATED
    }

    /**
     * The outcome of a lookup.
     *
     * @param status what was found
     * @param file the entry's file, whether or not it exists
     * @param result the cached result for {@link Status#HIT}, {@code null} otherwise
     * @param problem why the entry was not used, for {@link Status#CORRUPT} and {@link
     *     Status#OUTDATED}; {@code null} otherwise
     */
    public record Lookup(Status status, Path file, TuningResult result, String problem) {

        /**
         * Returns whether the lookup found a usable result.
         *
         * @return {@code true} for {@link Status#HIT}
         */
        public boolean hit() {
            return status == Status.HIT;
        }
    }

    /**
     * Returns the cache's directory.
     *
     * @return the directory
     */
    public Path directory() {
        return directory;
    }

    /**
     * Returns the file of a key's entry.
     *
     * @param key the key
     * @return the file, which need not exist
     */
    public Path file(CacheKey key) {
        return directory.resolve(key.digest() + ".json");
    }

    /**
     * Looks a key up. A corrupt or outdated entry is logged as a warning and not used.
     *
     * @param key the key
     * @return what was found; never throws for a bad entry
     */
    public Lookup load(CacheKey key) {
        Objects.requireNonNull(key, "key");
        Path file = file(key);
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return new Lookup(Status.MISS, file, null, null);
        } catch (IOException | RuntimeException e) {
            return bad(Status.CORRUPT, file, "it cannot be read (" + e + ")");
        }
        JsonObject entry;
        try {
            JsonElement parsed = JsonParser.parseString(text);
            if (!parsed.isJsonObject()) {
                return bad(Status.CORRUPT, file, "it is not a JSON object");
            }
            entry = parsed.getAsJsonObject();
        } catch (JsonParseException e) {
            return bad(Status.CORRUPT, file, "it is not valid JSON (" + e.getMessage() + ")");
        }
        String schema = stringOrNull(entry, "schema");
        if (!SCHEMA.equals(schema)) {
            return bad(Status.OUTDATED, file, "its schema is " + schema + ", not " + SCHEMA);
        }
        JsonElement storedKey = entry.get("key");
        if (storedKey == null || !storedKey.isJsonObject()) {
            return bad(Status.CORRUPT, file, "it has no \"key\" object");
        }
        if (!storedKey.getAsJsonObject().equals(keyJson(key))) {
            return bad(Status.OUTDATED, file, "it was stored under another key");
        }
        JsonElement report = entry.get("report");
        if (report == null || !report.isJsonObject()) {
            return bad(Status.CORRUPT, file, "it has no \"report\" object");
        }
        String reportSchema = stringOrNull(report.getAsJsonObject(), "schema");
        if (!ReportJson.SCHEMA.equals(reportSchema)) {
            return bad(Status.OUTDATED, file, "its report schema is " + reportSchema + ", not " + ReportJson.SCHEMA);
        }
        try {
            return new Lookup(Status.HIT, file, ReportJson.fromJson(report.toString()), null);
        } catch (IllegalArgumentException e) {
            return bad(Status.CORRUPT, file, "its report cannot be read (" + e.getMessage() + ")");
        }
    }

    /**
     * Stores a result under a key, replacing any entry there: written whole to a temporary file
     * beside it, then renamed over it.
     *
     * @param key the key
     * @param result the result
     * @return the entry's file
     * @throws IOException if the directory cannot be created or written; the message names it
     */
    public Path store(CacheKey key, TuningResult result) throws IOException {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(result, "result");
        JsonObject entry = new JsonObject();
        entry.addProperty("schema", SCHEMA);
        entry.add("key", keyJson(key));
        entry.addProperty("storedAt", Instant.now().toString());
        entry.add("report", JsonParser.parseString(ReportJson.toJson(result)));
        byte[] bytes = (new GsonBuilder()
                                .setPrettyPrinting()
                                .disableHtmlEscaping()
                                .serializeNulls()
                                .create()
                                .toJson(entry)
                        + "\n")
                .getBytes(StandardCharsets.UTF_8);
        Path file = file(key);
        try {
            AtomicFiles.write(file, bytes);
            return file;
        } catch (IOException e) {
            throw new IOException(
                    "Cannot store the tuning result in the cache directory " + directory.toAbsolutePath() + " ("
                            + e + "); give a writable directory with TuneOptions.optCacheDirectory, or turn the"
                            + " cache off with optCache(false).",
                    e);
        }
    }

    private static JsonObject keyJson(CacheKey key) {
        JsonObject object = new JsonObject();
        for (Map.Entry<String, String> field : new TreeMap<>(key.fields()).entrySet()) {
            object.addProperty(field.getKey(), field.getValue());
        }
        return object;
    }

    private static String stringOrNull(JsonObject object, String name) {
        JsonElement element = object.get(name);
        return element != null && element.isJsonPrimitive() ? element.getAsString() : null;
    }

    private static Lookup bad(Status status, Path file, String problem) {
        LOG.warn(
                "Ignoring the cached tuning result {}: {}. The next result stored under its key replaces it.",
                file,
                problem);
        return new Lookup(status, file, null, problem);
    }
}
