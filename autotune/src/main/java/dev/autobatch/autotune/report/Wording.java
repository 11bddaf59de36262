package dev.autobatch.autotune.report;

import dev.autobatch.autotune.TuningResult;
import dev.autobatch.autotune.probe.HardwareSnapshot;
import dev.autobatch.autotune.search.SearchSettings;
import dev.autobatch.autotune.search.Verdict;
import dev.autobatch.core.MemoryMeasurement;
import dev.autobatch.core.Trial;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The words for people that AutoBatch shares between its report files, its log lines, the Maven
 * goal and the main job: trial outcomes, the search's verdicts, stop reasons, why a size was
 * chosen, and {@value #UNKNOWN} for what could not be read. Code decides on types ({@link
 * Trial.Outcome}, {@link Verdict}); only this class turns them into words, and back where a file
 * holds the words.
 */
public final class Wording {

    /** The word for people for a value that could not be read or measured. */
    public static final String UNKNOWN = HardwareSnapshot.UNKNOWN;

    /** The outcome of a measured trial, as metrics tags and {@code report.json} name it. */
    static final String OK = "ok";
    /** The outcome of a trial that ran out of memory. */
    static final String OUT_OF_MEMORY = "out_of_memory";
    /** The outcome of a trial that failed for another reason. */
    static final String FAILED = "failed";

    private static final Pattern VERDICT = Pattern.compile(
            "(ok|throughput saturated|over the memory budget|out of memory|failed: .*?)"
                    + "(?: \\((memory probe|refinement|confirmation round (\\d+))\\))?",
            Pattern.DOTALL);
    /** The outcome of the trial predicted above the memory budget and therefore not run. */
    static final String SKIPPED_OVER_BUDGET = "skipped_over_budget";

    private Wording() {}

    /**
     * Names a trial's outcome.
     *
     * @param trial the trial
     * @return {@link #OK}, {@link #OUT_OF_MEMORY} or {@link #FAILED}
     */
    static String outcome(Trial trial) {
        return switch (trial.outcome()) {
            case MEASURED -> OK;
            case OUT_OF_MEMORY -> OUT_OF_MEMORY;
            case FAILED -> FAILED;
        };
    }

    /**
     * Reads an outcome as {@link #outcome} names it.
     *
     * @param name {@code ok}, {@code out_of_memory} or {@code failed}
     * @return the outcome
     * @throws IllegalArgumentException for any other name
     */
    static Trial.Outcome parseOutcome(String name) {
        return switch (name) {
            case OK -> Trial.Outcome.MEASURED;
            case OUT_OF_MEMORY -> Trial.Outcome.OUT_OF_MEMORY;
            case FAILED -> Trial.Outcome.FAILED;
            default ->
                throw new IllegalArgumentException("trial outcome must be ok, out_of_memory or failed, got " + name);
        };
    }

    /**
     * Says what became of a trial, for people: {@code "ok"}, {@code "out of memory"} or {@code
     * "failed: "} and the failure.
     *
     * @param trial the trial
     * @return the phrase
     */
    public static String trialOutcome(Trial trial) {
        return switch (trial.outcome()) {
            case MEASURED -> "ok";
            case OUT_OF_MEMORY -> "out of memory";
            case FAILED -> "failed: " + trial.failure();
        };
    }

    /**
     * Says what the search concluded from a trial, as the log lines, the listener, the result's
     * table and {@code report.json} print it: such as {@code "ok"}, {@code "throughput
     * saturated"}, {@code "over the memory budget"}, {@code "out of memory (refinement)"} or
     * {@code "failed: ... (confirmation round 2)"}.
     *
     * @param trial the trial, for the failure's own words
     * @param verdict the verdict
     * @return the phrase
     */
    public static String verdict(Trial trial, Verdict verdict) {
        String kind = switch (verdict.kind()) {
            case OK -> "ok";
            case THROUGHPUT_SATURATED -> "throughput saturated";
            case OVER_BUDGET -> "over the memory budget";
            case OUT_OF_MEMORY -> "out of memory";
            case FAILED -> "failed: " + trial.failure();
        };
        return switch (verdict.phase()) {
            case DOUBLING -> kind;
            case MEMORY_PROBE -> kind + " (memory probe)";
            case REFINEMENT -> kind + " (refinement)";
            case CONFIRMATION -> kind + " (confirmation round " + verdict.round() + ")";
        };
    }

    /**
     * Reads a verdict back from the words {@link #verdict} gave it, as {@code report.json} holds
     * them.
     *
     * @param text the phrase
     * @return the verdict
     * @throws IllegalArgumentException if the text is no verdict's words
     */
    static Verdict parseVerdict(String text) {
        Matcher m = VERDICT.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException("trial verdict must be such as \"ok\", \"throughput saturated\","
                    + " \"over the memory budget\", \"out of memory\" or \"failed: ...\", with a step such as"
                    + " \" (refinement)\", got \"" + text + "\"");
        }
        Verdict.Kind kind = switch (m.group(1)) {
            case "ok" -> Verdict.Kind.OK;
            case "throughput saturated" -> Verdict.Kind.THROUGHPUT_SATURATED;
            case "over the memory budget" -> Verdict.Kind.OVER_BUDGET;
            case "out of memory" -> Verdict.Kind.OUT_OF_MEMORY;
            default -> Verdict.Kind.FAILED;
        };
        if (m.group(2) == null) {
            return new Verdict(kind, Verdict.Phase.DOUBLING, 0);
        }
        if (m.group(3) != null) {
            return new Verdict(kind, Verdict.Phase.CONFIRMATION, Integer.parseInt(m.group(3)));
        }
        return new Verdict(
                kind, m.group(2).equals("refinement") ? Verdict.Phase.REFINEMENT : Verdict.Phase.MEMORY_PROBE, 0);
    }

    /**
     * Says in words why the search stopped, with the numbers that made it stop.
     *
     * @param result the result
     * @return a clause without a final full stop, such as {@code "batch size 1,024 ran out of
     *     memory"}
     */
    static String stopReason(TuningResult result) {
        SearchSettings settings = result.settings();
        return switch (result.stopReason()) {
            case OUT_OF_MEMORY ->
                result.trials().stream()
                        .filter(Trial::outOfMemory)
                        .findFirst()
                        .map(t -> "batch size " + count(t.batchSize()) + " ran out of memory")
                        .orElse("a trial ran out of memory");
            case MEMORY_BUDGET ->
                "the next batch size's predicted peak memory was above the budget of "
                        + Bytes.format(result.memoryBudgetBytes())
                        + ", so it was not run";
            case THROUGHPUT_SATURATED ->
                "a larger batch no longer paid: the last two doublings raised throughput"
                        + " by at most " + percent(settings.saturationThreshold() / 2)
                        + " (one doubling where the next trial was expensive)"
                        + switch (settings.goal()) {
                            case BALANCED -> ", or a size past the statistical-efficiency bound ran";
                            case GOODPUT ->
                                ", or goodput fell more than " + percent(settings.saturationThreshold())
                                        + " below its best";
                            default -> "";
                        };
            case MAX_BATCH_SIZE -> "the next batch size would exceed the maximum of " + count(settings.maxBatchSize());
            case DATASET_SIZE -> "the next batch size would exceed the cap derived from the training set's size";
            case TIME_BUDGET ->
                "the next trial was predicted to overrun the time budget of "
                        + String.format(
                                Locale.ROOT, "%.0f s", settings.timeBudget().toMillis() / 1000.0);
            case TRIAL_FAILED ->
                result.trials().stream()
                        .filter(Trial::failed)
                        .findFirst()
                        .map(t -> "batch size " + count(t.batchSize()) + " failed: " + t.failure())
                        .orElse("a trial failed");
        };
    }

    /**
     * Says in words why the chosen size was chosen: the explanation of the goal's rule that chose
     * it ({@link TuningResult#explanation()}).
     *
     * @param result the result
     * @return one or more sentences
     */
    static String choice(TuningResult result) {
        if (!result.explanation().isEmpty()) {
            return result.explanation();
        }
        return "Batch size " + count(result.batchSize()) + " was chosen for "
                + result.settings().goal() + "; this result was stored without the explanation of its choice.";
    }

    /**
     * Says which memory a trial's peak describes.
     *
     * @param measurement the measurement
     * @return a phrase
     */
    static String memory(MemoryMeasurement measurement) {
        return switch (measurement) {
            case HOST_PEAK_RSS -> "peak resident set of the process (VmHWM)";
            case HOST_SAMPLED_RSS -> "highest sampled resident set of the process";
            case DEVICE_USED -> "device memory in use after the measured steps";
            case NONE -> "not measured";
        };
    }

    /**
     * Formats a count with thousands separators: {@code 4,096}.
     *
     * @param value the count
     * @return the text
     */
    static String count(long value) {
        return String.format(Locale.ROOT, "%,d", value);
    }

    /**
     * Formats a fraction as a percentage without needless decimals: {@code 0.05} as {@code 5%}.
     *
     * @param fraction the fraction
     * @return the text
     */
    static String percent(double fraction) {
        double percent = fraction * 100;
        if (Math.abs(percent - Math.rint(percent)) < 1e-9) {
            return String.format(Locale.ROOT, "%.0f%%", percent);
        }
        return String.format(Locale.ROOT, "%.1f%%", percent);
    }
}
