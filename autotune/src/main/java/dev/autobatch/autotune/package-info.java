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
 */
package dev.autobatch.autotune;
