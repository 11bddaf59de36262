/**
 * The cache of tuning results: a result stored under a key of machine, engine, model, input shape
 * and options, so a second tuning of the same model on the same machine returns at once.
 *
 * <p>{@code AutoBatch.tune} uses it by default; {@code TuneOptions.optCache(false)} and {@code
 * optForce(true)} turn it off or past it.
 */
package dev.autobatch.autotune.cache;
