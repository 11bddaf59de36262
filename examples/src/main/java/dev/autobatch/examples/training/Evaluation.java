package dev.autobatch.examples.training;

/**
 * One measurement of accuracy on the held-out validation set during training.
 *
 * @param trainingSeconds training time before it, in seconds: the steps only, evaluations excluded
 * @param samplesSeen training samples trained on before it
 * @param epochs epochs trained before it, fractional between epoch ends
 * @param accuracy the fraction of validation samples classified correctly, in [0, 1]
 */
public record Evaluation(double trainingSeconds, long samplesSeen, double epochs, double accuracy) {}
