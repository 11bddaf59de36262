package dev.autobatch.autotune.search;

import dev.autobatch.autotune.TuningListener;
import dev.autobatch.autotune.advice.AccumulationPlan;
import dev.autobatch.autotune.budget.MemoryBudgetException;
import dev.autobatch.autotune.report.Bytes;
import dev.autobatch.autotune.report.ResultTable;
import dev.autobatch.autotune.report.Wording;
import dev.autobatch.core.Trial;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalInt;
import java.util.TreeSet;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run of a {@link BatchSizeSearch}: the doubling, the refinement and the confirmation rounds,
 * with every trial, its verdict and its wall time.
 */
final class SearchRun {

    /** At most this many refinement trials. */
    static final int MAX_REFINEMENTS = 12;

    /** Confirmation runs at least this many rounds over the contenders. */
    static final int MIN_CONFIRMATION_ROUNDS = 2;

    /** Confirmation runs at most this many rounds over the contenders. */
    static final int MAX_CONFIRMATION_ROUNDS = 16;

    /**
     * Confirmation is settled once every contender's standard error is at most the saturation
     * threshold over this (1% for the default 5%) and the choice held for a round.
     */
    static final int SETTLED_ERROR_DIVISOR = 5;

    /** Confirmation rounds stop once they took this share of the time the doubling took... */
    static final double CONFIRMATION_SHARE_OF_SEARCH = 0.5;

    /** ... and at least this many seconds (a replay, which takes no time, runs every round). */
    static final double MIN_CONFIRMATION_SECONDS = 1;

    /** The doubling starts no trial predicted to end past this share of the time budget. */
    static final int DOUBLING_SHARE_PERCENT = 70;

    /** A trial predicted to take more than this share of the time budget is expensive. */
    static final int EXPENSIVE_SHARE_PERCENT = 12;

    private static final Logger LOG = LoggerFactory.getLogger(BatchSizeSearch.class);

    private final TrialRunner runner;
    private final SearchSettings settings;
    private final TuningListener listener;
    private final LongSupplier clock;
    final List<Trial> trials = new ArrayList<>();
    final List<Verdict> verdicts = new ArrayList<>();
    private final List<Double> seconds = new ArrayList<>();
    final long started;
    private final long budget;
    private final int cap;
    private boolean warnedNoPeaks;
    private boolean probed;

    SearchRun(TrialRunner runner, SearchSettings settings, TuningListener listener, LongSupplier clock) {
        this.runner = runner;
        this.settings = settings;
        this.listener = listener;
        this.clock = clock;
        this.started = clock.getAsLong();
        this.budget = settings.memoryBudgetBytes();
        this.cap = settings.batchSizeCap();
    }

    Evidence evidence() {
        return new Evidence(trials, settings);
    }

    /** Doubles from the start size until a stop rule fires; returns the rule. */
    StopReason grow(ChoiceRule rule) {
        int size = settings.startBatchSize();
        while (true) {
            if (!trials.isEmpty() && !predictedToFit(size)) {
                if (probeMemory()) {
                    continue;
                }
                // Clip the doubling to the largest size predicted to fit, if that still grows.
                Evidence evidence = evidence();
                long previous = evidence.largestFitting();
                long clipped = evidence.peakModel().largestWithin(budget, previous + 1, size - 1L);
                if (clipped - previous < Math.max(1, previous / MaxFitRule.GAP_DIVISOR)) {
                    return StopReason.MEMORY_BUDGET;
                }
                LOG.info("Clipping the doubling to batch size {}, the largest predicted within the budget", clipped);
                size = (int) clipped;
            }
            if (!trials.isEmpty() && !timeAllows(predictedSeconds(size), DOUBLING_SHARE_PERCENT)) {
                LOG.info(
                        "Not running batch size {}: its trial is predicted to overrun the time budget of {}",
                        size,
                        describe(settings.timeBudget()));
                return StopReason.TIME_BUDGET;
            }
            Trial trial = runTrial(size);
            Evidence evidence = new Evidence(appended(trial), settings);
            if (!evidence.fits(trial)) {
                record(trial, outcome(trial, Verdict.Phase.DOUBLING, 0));
                if (evidence.fittingSizes().isEmpty()) {
                    throw nothingFits(trial);
                }
                return trial.outOfMemory()
                        ? StopReason.OUT_OF_MEMORY
                        : trial.failed() ? StopReason.TRIAL_FAILED : StopReason.MEMORY_BUDGET;
            }
            int next = (int) Math.min(2L * size, cap);
            boolean expensive = size < cap
                    && predictedSeconds(next) * 100 > EXPENSIVE_SHARE_PERCENT * seconds(settings.timeBudget());
            boolean saturated = rule.stopsDoubling(evidence, expensive);
            record(
                    trial,
                    new Verdict(
                            saturated ? Verdict.Kind.THROUGHPUT_SATURATED : Verdict.Kind.OK,
                            Verdict.Phase.DOUBLING,
                            0));
            if (saturated) {
                return StopReason.THROUGHPUT_SATURATED;
            }
            if (size >= cap) {
                return settings.capStopReason();
            }
            size = next;
        }
    }

    /**
     * Where only the start size measured a peak and gave no baseline, the only safe
     * extrapolation is proportional to the batch, which stops the search at once when fixed
     * memory (weights, optimizer state) fills most of the budget. A trial at half the start
     * size measures how memory grows instead; memory grows with the batch, so it fits. It is
     * run at most once and never chosen.
     */
    private boolean probeMemory() {
        int start = settings.startBatchSize();
        if (probed || start < 2 || trials.size() != 1) {
            return false;
        }
        Trial first = trials.get(0);
        if (first.peakMemoryBytes() < 0 || first.baselineMemoryBytes() >= 0) {
            return false;
        }
        probed = true;
        Trial probe = runTrial(start / 2);
        record(probe, outcome(probe, Verdict.Phase.MEMORY_PROBE, 0));
        return true;
    }

    /** Runs the trials the rule proposes, until it proposes none, one fails or time runs out. */
    void refine(ChoiceRule rule) {
        for (int i = 0; i < MAX_REFINEMENTS; i++) {
            OptionalInt proposal = rule.refinement(evidence());
            if (proposal.isEmpty()
                    || !predictedToFit(proposal.getAsInt())
                    || !timeAllows(predictedSeconds(proposal.getAsInt()), 100)) {
                return;
            }
            Trial trial = runTrial(proposal.getAsInt());
            record(trial, outcome(trial, Verdict.Phase.REFINEMENT, 0));
            if (trial.failed()) {
                return;
            }
        }
    }

    /** Re-measures the rule's contenders in interleaved rounds; see the class comment. */
    void confirm(ChoiceRule rule) {
        TreeSet<Integer> contenders = new TreeSet<>(rule.contenders(evidence()));
        if (contenders.size() < 2) {
            return;
        }
        int previousChoice = -1;
        long confirming = clock.getAsLong();
        double searched = (confirming - started) / 1e9;
        for (int round = 1; round <= MAX_CONFIRMATION_ROUNDS && !contenders.isEmpty(); round++) {
            double needed = 0;
            for (int size : contenders) {
                needed += predictedSeconds(size);
            }
            if (!timeAllows(needed, 100)) {
                LOG.info(
                        "Confirmation stopped after {} of at most {} rounds: another round would overrun"
                                + " the time budget of {}",
                        round - 1,
                        MAX_CONFIRMATION_ROUNDS,
                        describe(settings.timeBudget()));
                return;
            }
            // The doubling ran smallest first; the rounds alternate largest first and smallest first.
            List<Integer> order = new ArrayList<>(round % 2 == 1 ? contenders.descendingSet() : contenders);
            for (int size : order) {
                double before = evidence().throughput(size);
                Trial trial = runTrial(size);
                record(trial, outcome(trial, Verdict.Phase.CONFIRMATION, round));
                if (trial.failed()) {
                    return;
                }
                if (round == 1 && size == order.get(0) && trial.samplesPerSecond() == before) {
                    LOG.info(
                            "The runner measured batch size {} exactly as before: its answers do not vary,"
                                    + " so no more confirmation is needed",
                            size);
                    return;
                }
            }
            Evidence evidence = evidence();
            contenders.removeIf(size -> !evidence.isFitting(size));
            int choice = rule.choose(evidence).batchSize();
            boolean settled = choice == previousChoice;
            for (int size : contenders) {
                settled &= evidence.relativeError(size) <= settings.saturationThreshold() / SETTLED_ERROR_DIVISOR;
            }
            double spent = (clock.getAsLong() - confirming) / 1e9;
            if (round >= MIN_CONFIRMATION_ROUNDS
                    && (settled
                            || (spent >= searched * CONFIRMATION_SHARE_OF_SEARCH
                                    && spent >= MIN_CONFIRMATION_SECONDS))) {
                return;
            }
            previousChoice = choice;
            // What the rounds measured may move the provisional choice: its new neighbours join.
            contenders.addAll(rule.contenders(evidence));
        }
    }

    /**
     * The plan for the chosen size: without a target, the chosen size on each device; with one,
     * {@link AccumulationPlan#plan} with the throughput choice as the preferred micro-batch and the
     * largest size known or predicted to fit within the budget.
     */
    AccumulationPlan plan(int chosen) {
        Evidence evidence = evidence();
        int target = settings.targetBatchSize();
        if (target == 0) {
            return AccumulationPlan.none(chosen, settings.devices());
        }
        int preferred = settings.goal() == Goal.GOODPUT
                ? Goal.THROUGHPUT.rule().choose(evidence).batchSize()
                : chosen;
        long fit = evidence.largestFitting();
        long misfit = evidence.smallestMisfitAbove(fit).orElse(Integer.MAX_VALUE);
        long perDevice = ((long) target + settings.devices() - 1) / settings.devices();
        long limit = Math.min(misfit - 1, Math.max(fit, perDevice));
        long predicted = limit > fit
                        && settings.hasMemoryBudget()
                        && !evidence.peakModel().isEmpty()
                ? evidence.peakModel().largestWithin(settings.memoryBudgetBytes(), fit + 1, limit)
                : limit;
        return AccumulationPlan.plan(target, preferred, Math.max(fit, predicted), settings.devices());
    }

    private boolean timeAllows(double predictedSeconds, int sharePercent) {
        double elapsed = (clock.getAsLong() - started) / 1e9;
        return elapsed + predictedSeconds <= sharePercent / 100.0 * seconds(settings.timeBudget());
    }

    /**
     * The wall time a trial at {@code size} is predicted to take: that of the latest trial at
     * the largest size measured up to it, scaled by the sizes' ratio (a trial's time grows at
     * most in proportion to its steps' work).
     */
    private double predictedSeconds(int size) {
        int from = -1;
        for (int i = 0; i < trials.size(); i++) {
            int measured = trials.get(i).batchSize();
            if (measured <= size && (from < 0 || measured >= trials.get(from).batchSize())) {
                from = i;
            }
        }
        if (from < 0) {
            return seconds.isEmpty() ? 0 : seconds.get(seconds.size() - 1);
        }
        return seconds.get(from) * size / trials.get(from).batchSize();
    }

    private List<Trial> appended(Trial trial) {
        List<Trial> all = new ArrayList<>(trials);
        all.add(trial);
        return all;
    }

    private Trial runTrial(int size) {
        long start = clock.getAsLong();
        Trial trial;
        try {
            trial = runner.run(size);
        } catch (RuntimeException e) {
            throw new IllegalStateException(
                    "The trial runner threw at batch size " + size + ": " + e.getMessage()
                            + "; the search stopped without a result.",
                    e);
        }
        seconds.add((clock.getAsLong() - start) / 1e9);
        if (trial == null) {
            throw new IllegalStateException("The trial runner returned no trial for batch size " + size + ".");
        }
        if (trial.batchSize() != size) {
            throw new IllegalStateException("Asked for batch size " + size + ", the trial runner reported batch size "
                    + trial.batchSize() + ".");
        }
        if (trial.ok() && !(trial.samplesPerSecond() > 0 && Double.isFinite(trial.samplesPerSecond()))) {
            throw new IllegalStateException("The trial at batch size " + size + " reported " + trial.samplesPerSecond()
                    + " samples/s; a measured trial needs a positive, finite throughput.");
        }
        return trial;
    }

    /** Records a trial that {@link #runTrial} has timed. */
    private void record(Trial trial, Verdict verdict) {
        trials.add(trial);
        verdicts.add(verdict);
        String words = Wording.verdict(trial, verdict);
        if (trial.ok()) {
            LOG.info(
                    "batch size {}: {} samples/s, peak memory {}: {}",
                    trial.batchSize(),
                    ResultTable.samplesPerSecond(trial.samplesPerSecond()),
                    Bytes.format(trial.peakMemoryBytes()),
                    words);
        } else {
            LOG.info("batch size {}: {}", trial.batchSize(), words);
        }
        listener.onTrial(trial, words);
    }

    private boolean predictedToFit(long size) {
        Evidence evidence = evidence();
        if (evidence.peakModel().isEmpty()) {
            if (settings.hasMemoryBudget() && !warnedNoPeaks) {
                warnedNoPeaks = true;
                LOG.warn("The trials report no peak memory, so the memory budget cannot be enforced"
                        + " by prediction.");
            }
            return true;
        }
        if (!evidence.predictedToFit(size)) {
            LOG.info(
                    "Not running batch size {}: its predicted peak memory {} is above the budget {}",
                    size,
                    Bytes.format(
                            (long) Math.min(Long.MAX_VALUE, evidence.peakModel().predict(size))),
                    Bytes.format(budget));
            return false;
        }
        return true;
    }

    private Verdict outcome(Trial trial, Verdict.Phase phase, int round) {
        return Verdict.of(trial, budget, phase, round);
    }

    private IllegalStateException nothingFits(Trial trial) {
        int size = trial.batchSize();
        if (trial.failed()) {
            return new IllegalStateException("The trial at batch size " + size + " failed: " + trial.failure()
                    + " No trial succeeded, so there is no batch size to choose.");
        }
        if (trial.outOfMemory()) {
            String lower = size > 1
                    ? " Lower optStartBatchSize (it is " + size + ")"
                    : " The model does not train even one sample at a time;";
            return new IllegalStateException("Even the start batch size " + size + " ran out of memory." + lower
                    + " or free memory on the device.");
        }
        // A budget the user may raise: the entry point words the advice (MemoryBudgetException.Words).
        return MemoryBudgetException.atTheStart(size, trial.peakMemoryBytes(), budget);
    }

    private static double seconds(Duration duration) {
        return duration.toNanos() / 1e9;
    }

    private static String describe(Duration duration) {
        return String.format(Locale.ROOT, "%.1f s", seconds(duration));
    }
}
