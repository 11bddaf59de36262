package dev.autobatch.maven;

import ai.djl.Model;
import ai.djl.training.TrainingConfig;
import ai.djl.training.dataset.Dataset;
import dev.autobatch.autotune.AutoBatch;
import dev.autobatch.autotune.TuningListener;
import dev.autobatch.autotune.TuningResult;
import dev.autobatch.autotune.TuningTarget;
import dev.autobatch.autotune.report.AtomicFiles;
import dev.autobatch.autotune.report.Bytes;
import dev.autobatch.autotune.report.ResultTable;
import dev.autobatch.autotune.report.Wording;
import dev.autobatch.autotune.search.BatchSizeSearch;
import dev.autobatch.core.Trial;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Properties;
import java.util.function.Consumer;
import org.slf4j.LoggerFactory;

/**
 * One tuning of a {@link TuningTarget}, the same in the forked JVM and in Maven's own: builds the
 * model and data, runs {@link AutoBatch#tune} (which writes the report files into the output
 * directory), makes sure the progress and the result's table reach the build log once, and writes
 * {@value #PROPERTIES_FILE}.
 */
final class TuningSession {

    /** The file that holds the chosen batch size, in the output directory. */
    static final String PROPERTIES_FILE = "batch-size.properties";
    /** The project property, and the key in {@value #PROPERTIES_FILE}, of the chosen batch size. */
    static final String BATCH_SIZE_PROPERTY = "autobatch.batchSize";
    /** The key in {@value #PROPERTIES_FILE} of the goal the tuning ran with. */
    static final String GOAL_PROPERTY = "autobatch.goal";
    /** The key in {@value #PROPERTIES_FILE} of the rule that ended the search. */
    static final String STOP_REASON_PROPERTY = "autobatch.stopReason";

    private TuningSession() {}

    /**
     * Tunes the target and writes the results.
     *
     * @param target the target, created
     * @param settings the settings
     * @param outputDirectory where the report and {@value #PROPERTIES_FILE} go; created if missing
     * @param log receives each line for the build log
     * @return the result
     * @throws Exception whatever building the model or data, tuning or writing threw
     */
    static TuningResult run(TuningTarget target, TuneSettings settings, Path outputDirectory, Consumer<String> log)
            throws Exception {
        log.accept("Tuning " + settings.target() + ": " + settings.describe() + ".");
        // autotune logs each trial (BatchSizeSearch) and the result's table (AutoBatch) at INFO. Where
        // that logging reaches the build log, print neither again; where it is off, print both here.
        boolean searchLogsTrials =
                LoggerFactory.getLogger(BatchSizeSearch.class).isInfoEnabled();
        boolean tuneLogsTable = LoggerFactory.getLogger(AutoBatch.class).isInfoEnabled();
        TuningListener progress =
                searchLogsTrials ? TuningListener.NONE : (trial, verdict) -> log.accept(describe(trial, verdict));
        TuningResult result;
        try (Model model = target.model()) {
            if (model == null) {
                throw new IllegalStateException(
                        settings.target() + ".model() returned null; return a Model with its block set.");
            }
            Dataset data = target.dataset(model);
            if (data == null) {
                throw new IllegalStateException(
                        settings.target() + ".dataset(Model) returned null; return the training data.");
            }
            Optional<TrainingConfig> config = target.trainingConfig();
            result = AutoBatch.tune(
                    model,
                    data,
                    settings.toOptions(config == null ? Optional.empty() : config, progress, outputDirectory));
        }
        if (!tuneLogsTable) {
            for (String line : result.toString().split("\\R")) {
                log.accept(line);
            }
        }
        writeProperties(result, settings, outputDirectory);
        log.accept("Chose batch size "
                + result.batchSize()
                + " ("
                + result.stopReason()
                + "); the report and "
                + PROPERTIES_FILE
                + " are in "
                + outputDirectory
                + ".");
        return result;
    }

    /**
     * Describes one trial in a line of progress.
     *
     * @param trial the trial
     * @param verdict what the search concluded from it
     * @return such as {@code "Batch size 64: 12,345 samples/s ±2.1%, peak memory 512.0 MiB; ok"}, the
     *     spread (half the trial's relative interquartile range of step times) only where the
     *     trial recorded it
     */
    static String describe(Trial trial, String verdict) {
        StringBuilder line =
                new StringBuilder("Batch size ").append(trial.batchSize()).append(": ");
        if (!trial.ok()) {
            line.append(Wording.trialOutcome(trial));
        } else {
            line.append(String.format(Locale.ROOT, "%,.0f samples/s", trial.samplesPerSecond()));
            String spread = ResultTable.spread(trial);
            if (!spread.isEmpty()) {
                line.append(' ').append(spread);
            }
            if (trial.peakMemoryBytes() >= 0) {
                line.append(", peak memory ").append(Bytes.format(trial.peakMemoryBytes()));
            }
        }
        return line.append("; ").append(verdict).toString();
    }

    /**
     * Writes {@value #PROPERTIES_FILE}: the chosen batch size, the goal and the stop reason. The
     * file appears whole or not at all.
     *
     * @param result the result
     * @param settings the settings it ran with
     * @param outputDirectory the directory, created if missing
     * @throws IOException if the directory cannot be written
     */
    static void writeProperties(TuningResult result, TuneSettings settings, Path outputDirectory) throws IOException {
        String text = "# The batch size autobatch:tune chose for " + settings.target() + "\n"
                + BATCH_SIZE_PROPERTY + "=" + result.batchSize() + "\n"
                + GOAL_PROPERTY + "=" + settings.goal() + "\n"
                + STOP_REASON_PROPERTY + "=" + result.stopReason() + "\n";
        AtomicFiles.write(outputDirectory.resolve(PROPERTIES_FILE), text.getBytes(StandardCharsets.ISO_8859_1));
    }

    /**
     * Reads the batch size from a {@value #PROPERTIES_FILE}.
     *
     * @param outputDirectory the directory holding it
     * @return the batch size, or empty if the file or the key is missing or not a number
     * @throws IOException if the file exists but cannot be read
     */
    static OptionalInt readBatchSize(Path outputDirectory) throws IOException {
        Path file = outputDirectory.resolve(PROPERTIES_FILE);
        if (!Files.isRegularFile(file)) {
            return OptionalInt.empty();
        }
        Properties properties = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.ISO_8859_1)) {
            properties.load(in);
        }
        try {
            return OptionalInt.of(Integer.parseInt(
                    properties.getProperty(BATCH_SIZE_PROPERTY, "").trim()));
        } catch (NumberFormatException e) {
            return OptionalInt.empty();
        }
    }
}
