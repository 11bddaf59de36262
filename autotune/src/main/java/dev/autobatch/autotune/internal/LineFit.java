package dev.autobatch.autotune.internal;

/**
 * A weighted least-squares line with the covariance of its two coefficients.
 *
 * @param line the fitted line
 * @param interceptVariance the variance of the intercept; {@code NaN} when unknown
 * @param slopeVariance the variance of the slope; {@code NaN} when unknown
 * @param covariance the covariance of intercept and slope; {@code NaN} when unknown
 * @param points the number of points with positive weight the line was fitted to
 */
public record LineFit(Line line, double interceptVariance, double slopeVariance, double covariance, int points) {}
