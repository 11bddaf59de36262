package dev.autobatch.autotune.internal;

/**
 * A straight line {@code y = intercept + slope * x}.
 *
 * @param intercept the value at {@code x = 0}
 * @param slope the change of {@code y} per unit of {@code x}
 */
public record Line(double intercept, double slope) {

    /**
     * Returns the line's value at {@code x}.
     *
     * @param x where to evaluate
     * @return {@code intercept + slope * x}
     */
    public double at(double x) {
        return intercept + slope * x;
    }
}
