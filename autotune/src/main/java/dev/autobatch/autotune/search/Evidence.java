package dev.autobatch.autotune.search;

import dev.autobatch.autotune.advice.NoiseScale;
import dev.autobatch.autotune.internal.PeakMemoryModel;
import dev.autobatch.core.Trial;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;

/**
 * What a search has measured so far, as a {@link ChoiceRule} reads it: every trial, and for each
 * batch size that ran within the memory budget its throughput as the centre of every measurement
 * at that size ({@link #center}), with the standard error of that centre.
 *
 * <p>A size is <em>fitting</em> when it was measured at or above the start size, and no trial at
 * it ran out of memory or peaked above the budget. Its {@linkplain #throughput(int) throughput}
 * is the centre of its measurements: one measurement after the doubling, more after the
 * confirmation rounds.
 *
 * <p>The {@linkplain #relativeError(int) error} of a centre comes from how repeated measurements
 * of the same sizes disagree, pooled over every size measured more than once (a runner that
 * answers alike each time has none), and is at least what the trials' own step-time spreads
 * imply. With a single measurement at every size it is unknown ({@code NaN}).
 */
public final class Evidence {

    private final List<Trial> trials;
    private final SearchSettings settings;
    private final TreeMap<Integer, double[]> fitting = new TreeMap<>();
    private final double pooledRelativeSpread;
    private final PeakMemoryModel peakModel;
    private NoiseScale noiseScale;

    Evidence(List<Trial> trials, SearchSettings settings) {
        this.trials = Collections.unmodifiableList(new ArrayList<>(trials));
        this.settings = settings;
        TreeMap<Integer, List<Double>> bySize = new TreeMap<>();
        Set<Integer> misfits = new HashSet<>();
        for (Trial t : trials) {
            if (!t.failed() && !fits(t)) {
                misfits.add(t.batchSize());
            } else if (fits(t) && t.batchSize() >= settings.startBatchSize()) {
                bySize.computeIfAbsent(t.batchSize(), k -> new ArrayList<>()).add(t.samplesPerSecond());
            }
        }
        double squares = 0;
        int degrees = 0;
        for (var entry : bySize.entrySet()) {
            if (misfits.contains(entry.getKey())) {
                continue;
            }
            double[] values =
                    entry.getValue().stream().mapToDouble(Double::doubleValue).toArray();
            fitting.put(entry.getKey(), values);
            if (values.length > 1) {
                double mean = Arrays.stream(values).average().orElseThrow();
                for (double v : values) {
                    squares += (v / mean - 1) * (v / mean - 1);
                }
                degrees += values.length - 1;
            }
        }
        pooledRelativeSpread = degrees > 0 ? Math.sqrt(squares / degrees) : Double.NaN;
        peakModel = PeakMemoryModel.of(trials);
    }

    /**
     * Returns every trial so far, in the order they ran.
     *
     * @return the trials, unmodifiable
     */
    public List<Trial> trials() {
        return trials;
    }

    /**
     * Returns the settings the search runs with.
     *
     * @return the settings
     */
    public SearchSettings settings() {
        return settings;
    }

    /**
     * Returns the fitting batch sizes, smallest first.
     *
     * @return the sizes; empty when none fitted
     */
    public List<Integer> fittingSizes() {
        return List.copyOf(fitting.keySet());
    }

    /**
     * Returns whether a size is fitting: measured within the budget, never out of memory.
     *
     * @param size a batch size
     * @return {@code true} if fitting
     */
    public boolean isFitting(int size) {
        return fitting.containsKey(size);
    }

    /**
     * Returns the throughput at a fitting size: the centre of its measurements ({@link #center}).
     *
     * @param size a fitting batch size
     * @return samples per second
     * @throws IllegalArgumentException if the size is not fitting
     */
    public double throughput(int size) {
        return center(values(size));
    }

    /**
     * Returns how many measurements the throughput at a fitting size is the centre of.
     *
     * @param size a fitting batch size
     * @return at least 1
     */
    public int measurements(int size) {
        return values(size).length;
    }

    /**
     * Returns the standard error of the throughput at a fitting size, relative to it: the pooled
     * spread of repeated measurements, or the trials' own step-time spread where larger, over the
     * square root of the measurements (times 1.25, as for a median: an upper bound for the trimmed
     * mean as well).
     *
     * @param size a fitting batch size
     * @return a fraction, 0 for a runner that answers alike each time, {@code NaN} where no size
     *     was measured twice and the trials report no spread
     */
    public double relativeError(int size) {
        double spread = pooledRelativeSpread;
        double own = ownSpread(size);
        if (Double.isNaN(spread) || own > spread) {
            spread = own;
        }
        return 1.2533 * spread / Math.sqrt(measurements(size));
    }

    /**
     * Returns whether sizes were measured more than once and every repetition repeated its first
     * measurement exactly, as a replay does: then one measurement of a size is as good as many.
     *
     * @return {@code true} for a runner that answers alike every time
     */
    public boolean repeatsExactly() {
        return pooledRelativeSpread == 0;
    }

    /**
     * Returns the fitting size with the highest throughput.
     *
     * @return the size, or empty when none fitted
     */
    public OptionalInt bestSize() {
        int best = -1;
        for (int size : fitting.keySet()) {
            if (best < 0 || throughput(size) > throughput(best)) {
                best = size;
            }
        }
        return best < 0 ? OptionalInt.empty() : OptionalInt.of(best);
    }

    /**
     * Returns the fitting sizes next to one: the largest below and the smallest above.
     *
     * @param size a fitting size
     * @return zero, one or two sizes, smallest first
     */
    public List<Integer> neighbours(int size) {
        List<Integer> around = new ArrayList<>(2);
        Integer below = fitting.lowerKey(size);
        Integer above = fitting.higherKey(size);
        if (below != null) {
            around.add(below);
        }
        if (above != null) {
            around.add(above);
        }
        return around;
    }

    /**
     * Returns the largest size that ran within the budget.
     *
     * @return the size, or 0 when none did
     */
    public int largestFitting() {
        return fitting.isEmpty() ? 0 : fitting.lastKey();
    }

    /**
     * Returns the smallest size above {@code size} that ran out of memory or above the budget.
     *
     * @param size a batch size
     * @return that size, or {@link OptionalInt#empty()} when none above did not fit
     */
    public OptionalInt smallestMisfitAbove(long size) {
        int misfit = Integer.MAX_VALUE;
        for (Trial t : trials) {
            if (!t.failed() && !fits(t) && t.batchSize() > size) {
                misfit = Math.min(misfit, t.batchSize());
            }
        }
        return misfit == Integer.MAX_VALUE ? OptionalInt.empty() : OptionalInt.of(misfit);
    }

    /**
     * Returns the peak-memory model fitted to every trial that measured a peak.
     *
     * @return the model, possibly empty
     */
    public PeakMemoryModel peakModel() {
        return peakModel;
    }

    /**
     * Returns whether a size is predicted to fit the memory budget (always, without a budget or
     * without measured peaks).
     *
     * @param size a batch size
     * @return {@code true} if predicted within the budget
     */
    public boolean predictedToFit(long size) {
        return !settings.hasMemoryBudget()
                || peakModel.isEmpty()
                || peakModel.predict(size) <= settings.memoryBudgetBytes();
    }

    /**
     * Returns the gradient noise scale estimated from every trial's gradient norms.
     *
     * @return the estimate, not known where the trials recorded none
     */
    public NoiseScale noiseScale() {
        if (noiseScale == null) {
            noiseScale = NoiseScale.estimate(trials);
        }
        return noiseScale;
    }

    /**
     * Returns whether a trial counts as fitting: measured, with a peak within the budget.
     *
     * @param trial a trial
     * @return {@code true} if it fits
     */
    boolean fits(Trial trial) {
        return trial.ok() && trial.peakMemoryBytes() <= settings.memoryBudgetBytes();
    }

    private double ownSpread(int size) {
        double largest = Double.NaN;
        for (Trial t : trials) {
            if (t.ok() && t.batchSize() == size && t.measuredSteps() > 1) {
                // The relative standard error of one trial's median: the spread of one measurement.
                double own = 0.93 * t.relativeSpread() / Math.sqrt(t.measuredSteps());
                if (Double.isNaN(largest) || own > largest) {
                    largest = own;
                }
            }
        }
        return largest;
    }

    private double[] values(int size) {
        double[] values = fitting.get(size);
        if (values == null) {
            throw new IllegalArgumentException("batch size " + size + " is not a fitting size measured so far");
        }
        return values;
    }

    /**
     * The centre of repeated measurements: the median of up to four, and from five on the mean
     * without the lowest and the highest, which one outlier (a trial that other work slowed)
     * cannot move far and which is far less noisy than the median where every measurement jitters.
     *
     * @param values one or more measurements
     * @return their centre
     */
    public static double center(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        if (n >= 5) {
            double sum = 0;
            for (int i = 1; i < n - 1; i++) {
                sum += sorted[i];
            }
            return sum / (n - 2);
        }
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
