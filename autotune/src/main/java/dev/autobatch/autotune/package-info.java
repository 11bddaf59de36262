/**
 * Batch-size tuning: the search ({@link dev.autobatch.autotune.BatchSizeSearch}), its result, and
 * the one-line entry point {@link dev.autobatch.autotune.AutoBatch#tune}.
 *
 * <p>Hardware probing lives in {@code .hardware}, reporting in {@code .report}.
 */
package dev.autobatch.autotune;
