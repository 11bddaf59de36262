package dev.autobatch.autotune.internal;

/** Weighted least-squares fits of a straight line. */
public final class LeastSquares {

    private LeastSquares() {}

    /**
     * Fits {@code y = a + b x} minimising {@code sum w_i (y_i - a - b x_i)^2}.
     *
     * @param x the abscissae, at least two distinct values among those with positive weight
     * @param y the ordinates, as many as {@code x}
     * @param w the weights, as many as {@code x}, each zero or more
     * @return the fitted line
     * @throws IllegalArgumentException if the lengths differ or the points do not determine a line
     */
    public static Line fit(double[] x, double[] y, double[] w) {
        if (x.length != y.length || x.length != w.length) {
            throw new IllegalArgumentException(
                    "x, y and w must have the same length, got " + x.length + ", " + y.length + ", " + w.length);
        }
        double sw = 0;
        double sx = 0;
        double sy = 0;
        for (int i = 0; i < x.length; i++) {
            sw += w[i];
            sx += w[i] * x[i];
            sy += w[i] * y[i];
        }
        if (!(sw > 0)) {
            throw new IllegalArgumentException("a fit needs positive total weight, got " + sw);
        }
        double mx = sx / sw;
        double my = sy / sw;
        // Centred sums: numerically stable when x spans several orders of magnitude.
        double sxx = 0;
        double sxy = 0;
        for (int i = 0; i < x.length; i++) {
            double dx = x[i] - mx;
            sxx += w[i] * dx * dx;
            sxy += w[i] * dx * (y[i] - my);
        }
        if (!(sxx > 0)) {
            throw new IllegalArgumentException("a line needs at least two distinct x values with positive weight");
        }
        double slope = sxy / sxx;
        return new Line(my - slope * mx, slope);
    }

    /**
     * Fits {@code y = a + b x} with equal weights: ordinary least squares.
     *
     * @param x the abscissae, at least two distinct values
     * @param y the ordinates, as many as {@code x}
     * @return the fitted line
     */
    public static Line fit(double[] x, double[] y) {
        double[] w = new double[x.length];
        java.util.Arrays.fill(w, 1.0);
        return fit(x, y, w);
    }

    /**
     * Fits {@code y = a + b x} minimising relative errors, {@code sum ((y_i - a - b x_i) / y_i)^2}:
     * the right weighting when measurement noise is a fraction of the value, as with timings.
     *
     * @param x the abscissae, at least two distinct values
     * @param y the ordinates, each positive
     * @return the fitted line
     */
    public static Line fitRelative(double[] x, double[] y) {
        double[] w = new double[x.length];
        for (int i = 0; i < y.length; i++) {
            if (!(y[i] > 0)) {
                throw new IllegalArgumentException("relative fit needs positive values, got " + y[i]);
            }
            w[i] = 1.0 / (y[i] * y[i]);
        }
        return fit(x, y, w);
    }

    /**
     * Returns the line through two points.
     *
     * @param x1 the first abscissa
     * @param y1 the first ordinate
     * @param x2 the second abscissa, not equal to {@code x1}
     * @param y2 the second ordinate
     * @return the line
     */
    public static Line through(double x1, double y1, double x2, double y2) {
        if (x1 == x2) {
            throw new IllegalArgumentException("a line through two points needs distinct x values, got " + x1);
        }
        double slope = (y2 - y1) / (x2 - x1);
        return new Line(y1 - slope * x1, slope);
    }
}
