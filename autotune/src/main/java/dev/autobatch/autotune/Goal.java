package dev.autobatch.autotune;

/** What the search optimises. */
public enum Goal {
    /**
     * The default: the smallest batch size whose throughput is within the saturation threshold
     * (default 5%) of the best throughput reachable within the memory budget.
     */
    THROUGHPUT,
    /** The largest batch size that runs within the memory budget without running out of memory. */
    MAX_FIT
}
