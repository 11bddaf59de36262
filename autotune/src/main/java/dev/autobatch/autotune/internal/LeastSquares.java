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
     * Fits {@code y = a + b x} by weighted least squares and says how well the two coefficients
     * are determined: their covariance, scaled by the scatter of the points about the line (the
     * weights need only be right relative to each other).
     *
     * @param x the abscissae, at least two distinct values among those with positive weight
     * @param y the ordinates, as many as {@code x}
     * @param w the weights, as many as {@code x}, each zero or more; proportional to the inverse
     *     variance of each {@code y}
     * @return the fit; its variances are {@code NaN} with only two points of positive weight,
     *     where no scatter can be measured
     * @throws IllegalArgumentException if the lengths differ or the points do not determine a line
     */
    public static LineFit fitWithCovariance(double[] x, double[] y, double[] w) {
        Line line = fit(x, y, w);
        int points = 0;
        double sw = 0;
        double sx = 0;
        double chiSquared = 0;
        for (int i = 0; i < x.length; i++) {
            if (w[i] > 0) {
                points++;
                sw += w[i];
                sx += w[i] * x[i];
                double r = y[i] - line.at(x[i]);
                chiSquared += w[i] * r * r;
            }
        }
        if (points <= 2) {
            return new LineFit(line, Double.NaN, Double.NaN, Double.NaN, points);
        }
        double mx = sx / sw;
        double sxx = 0;
        for (int i = 0; i < x.length; i++) {
            double dx = x[i] - mx;
            sxx += w[i] * dx * dx;
        }
        // (X^T W X)^-1 of the centred parametrisation, scaled by the residual variance.
        double scale = chiSquared / (points - 2);
        double varSlope = scale / sxx;
        double varIntercept = scale * (1 / sw + mx * mx / sxx);
        double covariance = -scale * mx / sxx;
        return new LineFit(line, varIntercept, varSlope, covariance, points);
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
