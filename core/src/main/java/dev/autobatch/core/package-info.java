/**
 * Measured DJL training trials: train a model for a few real steps at one batch size and report
 * samples per second, step time, peak memory and gradient norms, recovering from out-of-memory;
 * and gradient accumulation ({@link dev.autobatch.core.GradientAccumulation}) for training loops.
 *
 * <p>Knows nothing of search or hardware policy; those live in {@code dev.autobatch.autotune}.
 */
package dev.autobatch.core;
