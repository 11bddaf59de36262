package dev.autobatch.examples.training;

/**
 * The rule that moves a learning rate tuned at one batch size to another batch size.
 *
 * <p>Kept in one method so it can move into {@code autotune} as is.
 */
public final class LearningRateScaling {

    /** The reference learning rate: DJL's MNIST example trains the 784-128-10 MLP with SGD at 0.01. */
    public static final float REFERENCE_LEARNING_RATE = 0.01f;
    /** The batch size the reference learning rate belongs to. */
    public static final int REFERENCE_BATCH_SIZE = 32;
    /**
     * The most the rule multiplies the reference rate by: 32, so at most 0.32 from 0.01, reached at
     * batch size 1,024.
     */
    public static final float MAX_FACTOR = 32f;

    private LearningRateScaling() {}

    /**
     * Scales a learning rate linearly with the batch size, up to a cap: {@code rate =
     * referenceRate * min(batchSize / referenceBatchSize, maxFactor)}.
     *
     * <p>The linear scaling rule (Goyal et al. 2017, "Accurate, Large Minibatch SGD: Training
     * ImageNet in 1 Hour", section 2.1): when the batch grows k-fold, one SGD step averages k times
     * as many gradients, so multiplying the learning rate by k keeps the distance covered per epoch
     * about the same. It holds for plain SGD and SGD with momentum, not for adaptive optimizers
     * such as Adam. Goyal et al. found it breaks down above about 8k samples for ResNet-50 and
     * needed a warm-up for large factors; this rule has no warm-up and caps the factor instead,
     * at {@link #MAX_FACTOR} by default. Measured on Fashion-MNIST with the 784-128-10 MLP, plain
     * SGD, no warm-up, at batch size 4,096 after 3 epochs: factor 32 (0.32) reached 72% validation
     * accuracy, factor 64 (0.64) 59%, factor 128 (1.28) fell to chance (10%); at 1,024, factors 16
     * and 32 both reached 85% in 10 epochs, factor 48 did worse in every early epoch.
     *
     * <p>Below the reference batch size the rate shrinks linearly too.
     *
     * @param referenceRate the learning rate known to work at {@code referenceBatchSize}, positive
     * @param referenceBatchSize the batch size it belongs to, at least 1
     * @param batchSize the batch size to train with, at least 1
     * @param maxFactor the largest multiple of {@code referenceRate} to return, at least 1
     * @return the learning rate for {@code batchSize}
     * @throws IllegalArgumentException if an argument is out of range
     */
    public static float scaledLearningRate(
            float referenceRate, int referenceBatchSize, int batchSize, float maxFactor) {
        if (!(referenceRate > 0) || Float.isInfinite(referenceRate)) {
            throw new IllegalArgumentException(
                    "reference learning rate must be positive and finite, got " + referenceRate);
        }
        if (referenceBatchSize < 1 || batchSize < 1) {
            throw new IllegalArgumentException(
                    "batch sizes must be at least 1, got reference "
                            + referenceBatchSize
                            + " and target "
                            + batchSize);
        }
        if (!(maxFactor >= 1) || Float.isInfinite(maxFactor)) {
            throw new IllegalArgumentException("the maximum factor must be at least 1 and finite, got " + maxFactor);
        }
        double factor = Math.min((double) batchSize / referenceBatchSize, maxFactor);
        return (float) (referenceRate * factor);
    }
}
