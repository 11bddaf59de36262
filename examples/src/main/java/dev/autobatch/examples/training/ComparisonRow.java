package dev.autobatch.examples.training;

import dev.autobatch.core.Trial;

/**
 * One batch size of a {@link BatchSizeComparison}: a short measured trial for throughput and peak
 * memory, and a training run under the shared time budget.
 *
 * @param batchSize the batch size
 * @param tuned whether AutoBatch chose this size
 * @param trial the {@code DjlTrialRunner} trial at this size
 * @param training the training run at this size
 */
public record ComparisonRow(int batchSize, boolean tuned, Trial trial, TrainingOutcome training) {}
