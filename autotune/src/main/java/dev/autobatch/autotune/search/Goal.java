package dev.autobatch.autotune.search;

import dev.autobatch.autotune.advice.NoiseScale;
import dev.autobatch.core.Trial;
import java.util.List;

/**
 * What the search optimises; each goal holds the {@link ChoiceRule} that chooses for it.
 *
 * <p>The default is {@link #BALANCED}: measured on Fashion-MNIST (see the README), its choice trains
 * to a given validation accuracy as fast as the best of the habit sizes 32 to 256 and ends as
 * accurate, where {@link #THROUGHPUT}'s larger choice trains slower to a worse model and {@link
 * #GOODPUT}'s smaller one, judged by the noise scale at the start of training, trains slower.
 */
public enum Goal {
    /**
     * The smallest batch size whose confirmed throughput is within the saturation threshold
     * (default 5%) of the best confirmed throughput within the memory budget: the fastest samples
     * per second for the least memory.
     */
    THROUGHPUT(new ThroughputRule()),
    /** The largest batch size that runs within the memory budget without running out of memory. */
    MAX_FIT(new MaxFitRule()),
    /**
     * Progress a second rather than samples a second (Pollux, Qiao et al., OSDI 2021):
     * the batch size within the memory budget that maximises {@code throughput(B) * efficiency(B)},
     * where {@code efficiency(B) = (B_noise + B0) / (B_noise + B)} is the share of a sample's
     * progress left at batch size {@code B} relative to the reference {@code B0}, and {@code
     * B_noise} the gradient noise scale the trials measured ({@link NoiseScale}). A batch far below
     * the noise scale wastes the hardware; one far above it wastes samples. Where the trials
     * recorded no usable gradient norms, the choice falls back to that of {@link #THROUGHPUT}, and
     * the result says so.
     */
    GOODPUT(new GoodputRule()),
    /**
     * The default: the {@link #THROUGHPUT} choice among the sizes whose statistical efficiency {@code (B_noise +
     * B0) / (B_noise + B)} is at least a quarter: the fastest samples per second, but never so
     * large a batch that a sample does less than a quarter of the work it does at the reference
     * size {@code B0} (about three times the gradient noise scale {@code B_noise} measured by the
     * trials). Where the trials recorded no usable gradient norms, the choice is that of {@link
     * #THROUGHPUT}, and the result says so.
     */
    BALANCED(new BalancedRule());

    /** The goal used when none is given. */
    public static final Goal DEFAULT = BALANCED;

    private final ChoiceRule rule;

    Goal(ChoiceRule rule) {
        this.rule = rule;
    }

    /**
     * Returns the rule that chooses for this goal.
     *
     * @return the rule
     */
    public ChoiceRule rule() {
        return rule;
    }

    /**
     * Chooses among finished trials as a search with these settings would after its last trial,
     * with the explanation: for results put together outside a search, such as in reports' tests.
     *
     * @param trials the trials, in the order they ran
     * @param settings the settings they ran with
     * @return the choice
     * @throws IllegalArgumentException if no trial fits
     */
    public Choice choose(List<Trial> trials, SearchSettings settings) {
        Evidence evidence = new Evidence(trials, settings);
        if (evidence.fittingSizes().isEmpty()) {
            throw new IllegalArgumentException("no trial ran within the memory budget, so there is nothing to choose");
        }
        return rule.choose(evidence);
    }
}
