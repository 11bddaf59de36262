/**
 * Measured DJL training trials: train a model for a few real steps at one batch size and report
 * samples per second, step time and peak memory, recovering from out-of-memory.
 *
 * <p>Knows nothing of search or hardware policy; those live in {@code dev.autobatch.autotune}.
 */
package dev.autobatch.core;
