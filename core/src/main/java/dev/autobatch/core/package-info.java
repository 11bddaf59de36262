/**
 * Measured DJL training trials: train a model for real steps at one batch size, until its step
 * time is known well enough or a time cap is hit, and report samples per second, step time and
 * its spread, peak memory and gradient norms, recovering from out-of-memory;
 * and gradient accumulation ({@link dev.autobatch.core.GradientAccumulation}) for training loops.
 *
 * <p>Knows nothing of search or hardware policy; those live in {@code dev.autobatch.autotune}.
 *
 * <p><b>Values that cannot be read or measured</b>: a byte figure that was not read is {@code -1};
 * a rate, time or gradient norm that was not measured is {@code NaN}; a count of measured steps
 * not known is {@code 0}. The same policy holds in {@code dev.autobatch.autotune}.
 */
package dev.autobatch.core;
