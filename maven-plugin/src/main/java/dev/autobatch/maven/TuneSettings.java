package dev.autobatch.maven;

import ai.djl.training.TrainingConfig;
import dev.autobatch.autotune.TuneOptions;
import dev.autobatch.autotune.TuningListener;
import dev.autobatch.autotune.search.Goal;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The goal's tuning parameters, parsed and checked: what {@code autobatch:tune} hands to {@link
 * dev.autobatch.autotune.AutoBatch#tune}. Pure: no Maven and no DJL engine, so the goal, the forked
 * JVM and the tests parse the same way. Error messages name the {@code autobatch.*} property and
 * the fix.
 *
 * @param target the fully qualified name of the class implementing {@link
 *     dev.autobatch.autotune.TuningTarget}
 * @param goal what the search optimises
 * @param memoryBudget the memory budget
 * @param saturationThreshold the relative throughput gain below which more batch is not worth it,
 *     in (0, 1)
 * @param maxBatchSize the largest batch size to try, or {@code 0} for the cap derived from the data
 * @param warmupSteps unmeasured steps before each trial's measured ones, zero or more
 * @param measuredSteps measured steps a trial, at least 1
 */
record TuneSettings(
        String target,
        Goal goal,
        MemoryBudgetParameter memoryBudget,
        double saturationThreshold,
        int maxBatchSize,
        int warmupSteps,
        int measuredSteps) {

    /** Key of {@link #target()} in {@link #toMap()}. */
    static final String TARGET = "target";
    /** Key of {@link #goal()} in {@link #toMap()}. */
    static final String GOAL = "goal";
    /** Key of {@link #memoryBudget()} in {@link #toMap()}. */
    static final String MEMORY_BUDGET = "memoryBudget";
    /** Key of {@link #saturationThreshold()} in {@link #toMap()}. */
    static final String SATURATION_THRESHOLD = "saturationThreshold";
    /** Key of {@link #maxBatchSize()} in {@link #toMap()}. */
    static final String MAX_BATCH_SIZE = "maxBatchSize";
    /** Key of {@link #warmupSteps()} in {@link #toMap()}. */
    static final String WARMUP_STEPS = "warmupSteps";
    /** Key of {@link #measuredSteps()} in {@link #toMap()}. */
    static final String MEASURED_STEPS = "measuredSteps";

    /** The message when no target is configured, the same for the goal and the fork. */
    static final String NO_TARGET = "No tuning target configured. Set <target> (or -Dautobatch.target) to a class"
            + " implementing dev.autobatch.autotune.TuningTarget.";

    /** Checks every value; each message names the property and the fix. */
    TuneSettings {
        if (target == null || target.isBlank()) {
            throw new IllegalArgumentException(NO_TARGET);
        }
        target = target.trim();
        if (goal == null) {
            throw new IllegalArgumentException("autobatch.goal must be set; " + goals() + " are the goals.");
        }
        if (memoryBudget == null) {
            memoryBudget = MemoryBudgetParameter.DEFAULT;
        }
        if (!(saturationThreshold > 0 && saturationThreshold < 1)) {
            throw new IllegalArgumentException("autobatch.saturationThreshold must be in (0, 1), got "
                    + saturationThreshold
                    + ". 0.05 (stop when doubling gains less than 5%) is the default.");
        }
        if (maxBatchSize < 0) {
            throw badMaxBatchSize(maxBatchSize);
        }
        if (maxBatchSize > 0 && maxBatchSize < TuneOptions.DEFAULT_START_BATCH_SIZE) {
            throw new IllegalArgumentException("autobatch.maxBatchSize must be at least the first batch size tried, "
                    + TuneOptions.DEFAULT_START_BATCH_SIZE
                    + ", got "
                    + maxBatchSize
                    + ".");
        }
        if (warmupSteps < 0) {
            throw new IllegalArgumentException(
                    "autobatch.warmupSteps must be zero or more, got " + warmupSteps + ". 2 is the default.");
        }
        if (measuredSteps < 1) {
            throw new IllegalArgumentException(
                    "autobatch.measuredSteps must be at least 1, got " + measuredSteps + ". 5 is the default.");
        }
    }

    /**
     * Parses the parameters as the goal receives them, as text.
     *
     * @param target the target class name; {@code null} or blank is an error
     * @param goal the goal's name, any case, {@code -} or {@code _} between words
     * @param memoryBudget see {@link MemoryBudgetParameter#parse}; {@code null} for the default
     * @param saturationThreshold in (0, 1)
     * @param maxBatchSize the maximum, or {@code null} for none
     * @param warmupSteps zero or more
     * @param measuredSteps at least 1
     * @return the settings
     * @throws IllegalArgumentException for any value out of range, naming it and the fix
     */
    static TuneSettings of(
            String target,
            String goal,
            String memoryBudget,
            double saturationThreshold,
            Integer maxBatchSize,
            int warmupSteps,
            int measuredSteps) {
        if (target == null || target.isBlank()) {
            throw new IllegalArgumentException(NO_TARGET);
        }
        return new TuneSettings(
                target,
                parseGoal(goal),
                MemoryBudgetParameter.parse(memoryBudget),
                saturationThreshold,
                maxBatchSize == null ? 0 : checkMax(maxBatchSize),
                warmupSteps,
                measuredSteps);
    }

    private static int checkMax(int maxBatchSize) {
        if (maxBatchSize < 1) {
            throw badMaxBatchSize(maxBatchSize);
        }
        return maxBatchSize;
    }

    private static IllegalArgumentException badMaxBatchSize(int maxBatchSize) {
        return new IllegalArgumentException("autobatch.maxBatchSize must be at least 1, got "
                + maxBatchSize
                + ". Leave it unset to let the training set's size cap the search.");
    }

    /**
     * Parses the map {@link #toMap()} wrote, as the forked JVM receives it.
     *
     * @param values the values by key
     * @return the settings
     * @throws IllegalArgumentException for a missing or bad value
     */
    static TuneSettings fromMap(Map<String, String> values) {
        String max = values.get(MAX_BATCH_SIZE);
        return of(
                values.get(TARGET),
                values.get(GOAL),
                values.get(MEMORY_BUDGET),
                parseDouble(values, SATURATION_THRESHOLD),
                max == null || max.isBlank() ? null : parseInt(values, MAX_BATCH_SIZE),
                parseInt(values, WARMUP_STEPS),
                parseInt(values, MEASURED_STEPS));
    }

    /**
     * Returns the settings as text by key, which {@link #fromMap} reads back to equal settings.
     *
     * @return the values, in a stable order
     */
    Map<String, String> toMap() {
        Map<String, String> map = new LinkedHashMap<>();
        map.put(TARGET, target);
        map.put(GOAL, goal.name());
        map.put(MEMORY_BUDGET, memoryBudget.toText());
        map.put(SATURATION_THRESHOLD, Double.toString(saturationThreshold));
        if (maxBatchSize > 0) {
            map.put(MAX_BATCH_SIZE, Integer.toString(maxBatchSize));
        }
        map.put(WARMUP_STEPS, Integer.toString(warmupSteps));
        map.put(MEASURED_STEPS, Integer.toString(measuredSteps));
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
                .optReportDirectory(reportDirectory)
                .optGoal(goal)
                .optSaturationThreshold(saturationThreshold)
                .optWarmupSteps(warmupSteps)
                .optMeasuredSteps(measuredSteps)
                // The goal tunes every time, as it did before AutoBatch cached results.
                .optCache(false)
                .optListener(listener);
        memoryBudget.applyTo(builder);
        if (maxBatchSize > 0) {
            builder.optMaxBatchSize(maxBatchSize);
        }
        // The target built this configuration for the tuning: the trials' own, nothing to put back.
        trainingConfig.ifPresent(config -> builder.optTrainingConfig(() -> config));
        return builder.build();
    }

    /**
     * Describes the settings in one line for the build log.
     *
     * @return such as {@code "goal BALANCED, memory budget 80% of the available memory, ..."}
     */
    String describe() {
        return "goal "
                + goal
                + ", memory budget "
                + memoryBudget.describe()
                + ", saturation threshold "
                + saturationThreshold
                + ", maximum batch size "
                + (maxBatchSize > 0 ? Integer.toString(maxBatchSize) : "from the data")
                + ", "
                + warmupSteps
                + " warm-up and "
                + measuredSteps
                + " measured steps a trial";
    }

    private static Goal parseGoal(String text) {
        String value = text == null ? "" : text.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        for (Goal goal : Goal.values()) {
            if (goal.name().equals(value)) {
                return goal;
            }
        }
        throw new IllegalArgumentException(
                "autobatch.goal must be one of " + goals() + ", got '" + text + "'. BALANCED is the default.");
    }

    private static String goals() {
        return Arrays.stream(Goal.values()).map(Goal::name).collect(Collectors.joining(", "));
    }

    private static int parseInt(Map<String, String> values, String key) {
        String text = values.get(key);
        try {
            return Integer.parseInt(text == null ? "" : text.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("autobatch." + key + " must be a whole number, got '" + text + "'.", e);
        }
    }

    private static double parseDouble(Map<String, String> values, String key) {
        String text = values.get(key);
        try {
            return Double.parseDouble(text == null ? "" : text.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("autobatch." + key + " must be a number, got '" + text + "'.", e);
        }
    }
}
