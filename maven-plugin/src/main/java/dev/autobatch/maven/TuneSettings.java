package dev.autobatch.maven;

import ai.djl.training.TrainingConfig;
import dev.autobatch.autotune.TuneOptions;
import dev.autobatch.autotune.TuningListener;
import dev.autobatch.autotune.search.Goal;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The goal's settings: the target class and the tuning options as text by {@link
 * TuneOptions#names() option name}, as the goal's parameters give them and the forked JVM reads
 * them back. {@link TuneOptions.Builder#fromProperties} reads and checks the options, so every
 * option and its errors are those of {@link dev.autobatch.autotune.AutoBatch#tune}, named as the
 * build names them ({@code autobatch.maxBatchSize}). Pure: no Maven and no DJL engine.
 *
 * @param target the fully qualified name of the class implementing {@link
 *     dev.autobatch.autotune.TuningTarget}
 * @param options the options' text by name; an absent or blank value leaves the option's default
 */
record TuneSettings(String target, Map<String, String> options) {

    /** How the build names an option: {@code autobatch.} and the option's name. */
    static final String PREFIX = "autobatch.";

    /** Key of {@link #target()} in {@link #toMap()}. */
    static final String TARGET = "target";

    /** The message when no target is configured, the same for the goal and the fork. */
    static final String NO_TARGET = "No tuning target configured. Set <target> (or -Dautobatch.target) to a class"
            + " implementing dev.autobatch.autotune.TuningTarget.";

    /** Checks the target and every option now, so a mistake fails the goal before anything starts. */
    TuneSettings {
        if (target == null || target.isBlank()) {
            throw new IllegalArgumentException(NO_TARGET);
        }
        target = target.trim();
        Map<String, String> given = new LinkedHashMap<>();
        options.forEach((name, text) -> {
            if (text != null && !text.isBlank()) {
                given.put(name, text.trim());
            }
        });
        options = Collections.unmodifiableMap(given);
        TuneOptions.builder().fromProperties(PREFIX, options).build();
    }

    /**
     * Reads the map {@link #toMap()} wrote, as the forked JVM receives it; keys that name no
     * option (the fork's own) are left out.
     *
     * @param values the values by key
     * @return the settings
     * @throws IllegalArgumentException for a missing target or a bad value
     */
    static TuneSettings fromMap(Map<String, String> values) {
        Map<String, String> options = new LinkedHashMap<>(values);
        options.keySet().retainAll(TuneOptions.names());
        return new TuneSettings(values.get(TARGET), options);
    }

    /**
     * Returns the settings as text by key, which {@link #fromMap} reads back to equal settings.
     *
     * @return the target and the options, in a stable order
     */
    Map<String, String> toMap() {
        Map<String, String> map = new LinkedHashMap<>();
        map.put(TARGET, target);
        map.putAll(options);
        return map;
    }

    /**
     * Builds the options {@link dev.autobatch.autotune.AutoBatch#tune} runs with.
     *
     * @param trainingConfig the target's training configuration, or empty for AutoBatch's default
     * @param listener told of each trial
     * @param reportDirectory where AutoBatch writes the report files
     * @return the options
     */
    TuneOptions toOptions(Optional<TrainingConfig> trainingConfig, TuningListener listener, Path reportDirectory) {
        TuneOptions.Builder builder = TuneOptions.builder()
                .fromProperties(PREFIX, options)
                .optReportDirectory(reportDirectory)
                // The goal tunes every time, as it did before AutoBatch cached results.
                .optCache(false)
                .optListener(listener);
        // The target built this configuration for the tuning: the trials' own, nothing to put back.
        trainingConfig.ifPresent(config -> builder.optTrainingConfig(() -> config));
        return builder.build();
    }

    /**
     * Returns the goal the options name.
     *
     * @return the goal, {@link Goal#DEFAULT} where none is given
     */
    Goal goal() {
        return checked().goal();
    }

    /**
     * Describes the settings in one line for the build log.
     *
     * @return such as {@code "goal BALANCED, memory budget 80% of the available memory, ..."}
     */
    String describe() {
        TuneOptions o = checked();
        return "goal " + o.goal()
                + ", memory budget " + o.memoryBudget().describe()
                + ", saturation threshold " + o.saturationThreshold()
                + ", maximum batch size "
                + o.maxBatchSize().map(String::valueOf).orElse("from the data")
                + ", " + o.trial().warmupSteps() + " warm-up and " + o.trial().measuredSteps()
                + " measured steps a trial";
    }

    private TuneOptions checked() {
        return TuneOptions.builder().fromProperties(PREFIX, options).build();
    }
}
