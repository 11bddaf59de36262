/**
 * What a tuning advises beyond the batch size, from the trials' measurements: the gradient noise
 * scale ({@link dev.autobatch.autotune.advice.NoiseScale}), the learning rate for the chosen size
 * ({@link dev.autobatch.autotune.advice.LearningRateAdvice}) and how to reach a larger global batch
 * by gradient accumulation ({@link dev.autobatch.autotune.advice.AccumulationPlan}).
 */
package dev.autobatch.autotune.advice;
