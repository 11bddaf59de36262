/**
 * Batch-size tuning, the façade: {@link dev.autobatch.autotune.AutoBatch#tune} with its {@link
 * dev.autobatch.autotune.TuneOptions}, the {@link dev.autobatch.autotune.TuningResult}, the Maven
 * goal's {@link dev.autobatch.autotune.TuningTarget} and the {@link
 * dev.autobatch.autotune.TuningListener} told of each trial.
 *
 * <p>One tuning reads straight through the packages, stage by stage: {@code .probe} (the
 * hardware), {@code .budget} (the memory budget), {@code .search} (the trials and the choice),
 * {@code .advice} (noise scale, learning rate, accumulation), {@code .cache} (results stored per
 * machine, model and options) and {@code .report} (meters, report files, chart).
 *
 * <p><b>Values that cannot be read or measured</b> (the one policy, after OSHI's "sentinel
 * values"): a count or byte figure that cannot be read is {@code -1}; a rate, time or ratio that
 * was not measured is {@code NaN}; a count of steps not known is {@code 0}; an optional user input
 * is an {@code Optional}, {@code OptionalInt} or {@code OptionalDouble}; "no memory budget" in
 * search settings is {@code SearchSettings.NO_MEMORY_BUDGET}, which results report as {@code -1}
 * ({@link dev.autobatch.autotune.TuningResult#memoryBudgetBytes()}); {@code report.json} writes
 * every unknown as {@code null}. For people the word is {@link
 * dev.autobatch.autotune.report.Wording#UNKNOWN}, from that one class.
 */
package dev.autobatch.autotune;
