package dev.autobatch.autotune.search;

import dev.autobatch.autotune.NoiseScale;

/** What the search optimises. */
public enum Goal {
    /**
     * The default: the smallest batch size whose throughput is within the saturation threshold
     * (default 5%) of the best throughput reachable within the memory budget.
     */
    THROUGHPUT,
    /** The largest batch size that runs within the memory budget without running out of memory. */
    MAX_FIT,
    /**
     * Progress a second rather than samples a second (Pollux, Qiao et al., OSDI 2021): the batch
     * size within the memory budget that maximises {@code throughput(B) * efficiency(B)}, where
     * {@code efficiency(B) = (B_noise + B0) / (B_noise + B)} is the share of a sample's progress
     * left at batch size {@code B} relative to the reference {@code B0}, and {@code B_noise} the
     * gradient noise scale the trials measured ({@link NoiseScale}). A batch far below the noise
     * scale wastes the hardware; one far above it wastes samples. The doubling stops as for {@link
     * #THROUGHPUT}: past saturated throughput, goodput only falls. Where the trials recorded no
     * usable gradient norms, the choice falls back to that of {@link #THROUGHPUT}, and the result
     * says so.
     */
    GOODPUT
}
