/**
 * Batch-size tuning: the search ({@link dev.autobatch.autotune.search.BatchSizeSearch}), its result with
 * the gradient noise scale, the accumulation plan and the learning-rate advice, and the one-line
 * entry point {@link dev.autobatch.autotune.AutoBatch#tune}.
 *
 * <p>Hardware probing lives in {@code .hardware}, reporting in {@code .report}, the cache of
 * results in {@code .cache}.
 */
package dev.autobatch.autotune;
