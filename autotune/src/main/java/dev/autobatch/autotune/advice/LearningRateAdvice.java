package dev.autobatch.autotune.advice;

import ai.djl.training.optimizer.Adam;
import ai.djl.training.optimizer.AdamW;
import ai.djl.training.optimizer.Nag;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.optimizer.RmsProp;
import ai.djl.training.optimizer.Sgd;
import dev.autobatch.autotune.report.Wording;
import java.util.Locale;
import java.util.Objects;

/**
 * The learning rate to train with at a batch size, scaled from a reference batch size and rate
 * that are known to work: the one place AutoBatch's scaling rules live.
 *
 * <pre>{@code
 * LearningRateAdvice advice = LearningRateAdvice.advise(optimizer, 32, 0.01, 512);
 * float rate = (float) advice.learningRate();    // 0.16 for SGD
 * int warmup = advice.warmupEpochs();             // 4
 * }</pre>
 *
 * <p>The rules, by optimizer ({@link #ruleFor(Optimizer)}):
 *
 * <ul>
 *   <li>{@link Rule#LINEAR} for SGD and Nesterov ({@link Sgd}, {@link Nag}): the rate grows with the
 *       batch, {@code lr = lr0 * B / B0} (Goyal et al., "Accurate, Large Minibatch SGD", 2017),
 *       with a gradual warm-up;
 *   <li>{@link Rule#SQUARE_ROOT} for the adaptive optimizers {@link Adam}, {@link AdamW} and
 *       {@link RmsProp}: {@code lr = lr0 * sqrt(B / B0)} (Hoffer et al. 2017; Malladi et al., "On
 *       the SDEs and Scaling Rules for Adaptive Gradient Algorithms", 2022, derive it for Adam and
 *       RMSprop);
 *   <li>{@link Rule#UNCHANGED} for any other optimizer, whose scaling AutoBatch does not know: the
 *       reference rate is advised as it is.
 * </ul>
 *
 * <p>Cap: the factor {@code lr / lr0} is at most {@link #MAX_FACTOR}, 32, under both rules. Goyal et
 * al. validated linear scaling up to 32-fold (batch 256 to 8k on ImageNet) and saw it break down
 * beyond. Measured on Fashion-MNIST with the 784-128-10 MLP, plain SGD from 0.01 at batch 32, no
 * warm-up: at batch size 4,096 after 3 epochs, factor 32 (0.32) reached 72% validation accuracy,
 * factor 64 (0.64) 59%, factor 128 (1.28) fell to chance (10%); at 1,024, factors 16 and 32 both
 * reached 85% in 10 epochs, factor 48 did worse in every early epoch. Below the reference batch
 * size the rate shrinks by the same rule, uncapped.
 *
 * <p>Warm-up: Goyal et al. ramp the rate up linearly over the first 5 epochs when they scale it up
 * 32-fold; AutoBatch advises one epoch per doubling of the (capped) rate, {@code ceil(log2(lr /
 * lr0))}, at most 5 (a heuristic of AutoBatch's, not the paper's: a 2-fold rise needs less ramp
 * than a 32-fold one), and none when the rate does not rise.
 *
 * <p>Both rules are rules of thumb that hold up to about the gradient noise scale ({@link
 * NoiseScale}); far above it, no learning rate recovers the steps a larger batch was meant to save.
 *
 * @param rule the scaling rule applied
 * @param optimizer the optimizer's simple class name, such as {@code "Sgd"}, or {@link Wording#UNKNOWN}
 * @param referenceBatchSize the reference batch size {@code B0}, at least 1
 * @param referenceLearningRate the rate known to work at {@code B0}; {@code NaN} when no advice
 * @param referenceSource where the reference rate came from, for people: {@code "given"}, {@code
 *     "read from the optimizer"}, or the default and why
 * @param batchSize the (global) batch size {@code B} the advice is for
 * @param learningRate the advised rate at {@code B}; {@code NaN} when no advice
 * @param warmupEpochs epochs to ramp the rate up linearly from the reference rate, 0 for none
 */
public record LearningRateAdvice(
        Rule rule,
        String optimizer,
        int referenceBatchSize,
        double referenceLearningRate,
        String referenceSource,
        int batchSize,
        double learningRate,
        int warmupEpochs) {

    /** The reference batch size when none is given. */
    public static final int DEFAULT_REFERENCE_BATCH_SIZE = 32;

    /**
     * The most the rules multiply the reference rate by: 32, the largest factor Goyal et al.
     * validated for linear scaling (see the class comment for the measurements behind it).
     */
    public static final double MAX_FACTOR = 32;

    /** The most warm-up epochs advised: what Goyal et al. used for a 32-fold scale-up. */
    public static final int MAX_WARMUP_EPOCHS = 5;

    /** How the learning rate scales with the batch size. */
    public enum Rule {
        /** Proportionally to the batch size: SGD (Goyal et al. 2017). */
        LINEAR,
        /** With the square root of the batch size: Adam-family optimizers (Malladi et al. 2022). */
        SQUARE_ROOT,
        /** Not at all: the optimizer's scaling is unknown, or there is nothing to scale. */
        UNCHANGED
    }

    /** Validates the components. */
    public LearningRateAdvice {
        Objects.requireNonNull(rule, "rule");
        Objects.requireNonNull(optimizer, "optimizer");
        Objects.requireNonNull(referenceSource, "referenceSource");
        if (referenceBatchSize < 1) {
            throw new IllegalArgumentException("reference batch size must be at least 1, got " + referenceBatchSize);
        }
        if (warmupEpochs < 0) {
            throw new IllegalArgumentException("warm-up epochs must be zero or more, got " + warmupEpochs);
        }
    }

    /**
     * No advice: for a result whose optimizer is unknown, such as a bare search.
     *
     * @param batchSize the batch size of the result
     * @return advice whose rates are {@code NaN}
     */
    public static LearningRateAdvice none(int batchSize) {
        return new LearningRateAdvice(
                Rule.UNCHANGED,
                Wording.UNKNOWN,
                DEFAULT_REFERENCE_BATCH_SIZE,
                Double.NaN,
                "not known",
                batchSize,
                Double.NaN,
                0);
    }

    /**
     * Returns the scaling rule for a DJL optimizer (see the class comment).
     *
     * @param optimizer the optimizer, or {@code null}
     * @return {@link Rule#LINEAR} for SGD and Nesterov, {@link Rule#SQUARE_ROOT} for Adam, AdamW and
     *     RMSprop, {@link Rule#UNCHANGED} otherwise
     */
    public static Rule ruleFor(Optimizer optimizer) {
        if (optimizer instanceof Sgd || optimizer instanceof Nag) {
            return Rule.LINEAR;
        }
        if (optimizer instanceof Adam || optimizer instanceof AdamW || optimizer instanceof RmsProp) {
            return Rule.SQUARE_ROOT;
        }
        return Rule.UNCHANGED;
    }

    /**
     * Advises the learning rate for a DJL optimizer at a batch size.
     *
     * @param optimizer the optimizer the training uses; its class picks the rule
     * @param referenceBatchSize the batch size {@code B0} at which the reference rate works
     * @param referenceLearningRate the rate known to work at {@code B0}, positive
     * @param batchSize the (global) batch size to train with
     * @return the advice, with {@code "given"} as the reference's source
     */
    public static LearningRateAdvice advise(
            Optimizer optimizer, int referenceBatchSize, double referenceLearningRate, int batchSize) {
        return advise(optimizer, referenceBatchSize, referenceLearningRate, "given", batchSize);
    }

    /**
     * Advises the learning rate for a DJL optimizer at a batch size, saying where the reference
     * rate came from.
     *
     * @param optimizer the optimizer the training uses, or {@code null}; its class picks the rule
     * @param referenceBatchSize the batch size {@code B0} at which the reference rate works
     * @param referenceLearningRate the rate known to work at {@code B0}, positive
     * @param referenceSource where the reference rate came from, a phrase for people
     * @param batchSize the (global) batch size to train with
     * @return the advice
     */
    public static LearningRateAdvice advise(
            Optimizer optimizer,
            int referenceBatchSize,
            double referenceLearningRate,
            String referenceSource,
            int batchSize) {
        return advise(
                ruleFor(optimizer),
                name(optimizer),
                referenceBatchSize,
                referenceLearningRate,
                referenceSource,
                batchSize);
    }

    /**
     * Advises the learning rate by a rule, the factor capped at {@link #MAX_FACTOR}.
     *
     * @param rule the scaling rule
     * @param optimizer the optimizer's name, for people
     * @param referenceBatchSize the batch size {@code B0} at which the reference rate works, at least
     *     1
     * @param referenceLearningRate the rate known to work at {@code B0}, positive and finite
     * @param referenceSource where the reference rate came from, for people
     * @param batchSize the (global) batch size to train with, at least 1
     * @return the advice
     * @throws IllegalArgumentException if a size is below 1 or the reference rate is not positive
     */
    public static LearningRateAdvice advise(
            Rule rule,
            String optimizer,
            int referenceBatchSize,
            double referenceLearningRate,
            String referenceSource,
            int batchSize) {
        Objects.requireNonNull(rule, "rule");
        if (!(referenceLearningRate > 0) || Double.isInfinite(referenceLearningRate)) {
            throw new IllegalArgumentException("the reference learning rate must be positive and finite, got "
                    + referenceLearningRate + "; give the rate that works at the reference batch size");
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
        }
        if (referenceBatchSize < 1) {
            throw new IllegalArgumentException(
                    "reference batch size must be at least 1, got " + referenceBatchSize + "; 32 is the default");
        }
        double scale = (double) batchSize / referenceBatchSize;
        double factor = switch (rule) {
            case LINEAR -> Math.min(scale, MAX_FACTOR);
            case SQUARE_ROOT -> Math.min(Math.sqrt(scale), MAX_FACTOR);
            case UNCHANGED -> 1;
        };
        int warmup =
                factor > 1 ? (int) Math.min(MAX_WARMUP_EPOCHS, Math.ceil(Math.log(factor) / Math.log(2) - 1e-9)) : 0;
        return new LearningRateAdvice(
                rule,
                optimizer,
                referenceBatchSize,
                referenceLearningRate,
                referenceSource,
                batchSize,
                referenceLearningRate * factor,
                warmup);
    }

    /**
     * Returns whether a rate is advised.
     *
     * @return {@code true} if {@link #learningRate()} is finite
     */
    public boolean isAdvised() {
        return Double.isFinite(learningRate);
    }

    /**
     * Returns whether the advised rate is the capped one: the rule would have scaled the reference
     * rate by more than {@link #MAX_FACTOR}.
     *
     * @return {@code true} if the rate is {@link #MAX_FACTOR} times the reference rate under {@link
     *     Rule#LINEAR} or {@link Rule#SQUARE_ROOT}
     */
    public boolean isCapped() {
        return isAdvised() && rule != Rule.UNCHANGED && learningRate >= referenceLearningRate * MAX_FACTOR * (1 - 1e-9);
    }

    /**
     * Says the advice in a sentence, for people.
     *
     * @return such as {@code "learning rate 0.16 at batch size 512 (linear scaling for Sgd from 0.01
     *     at 32, given), warmed up over the first 4 epochs"}; {@code "; factor capped at
     *     32x"} before the closing parenthesis where {@link #isCapped()}; or {@code "no learning-rate advice:
     *     the optimizer is not known"}
     */
    public String describe() {
        if (!isAdvised()) {
            return "no learning-rate advice: the optimizer is not known";
        }
        String how = switch (rule) {
            case LINEAR -> "linear scaling";
            case SQUARE_ROOT -> "square-root scaling";
            case UNCHANGED -> "unchanged: the scaling of this optimizer is not known";
        };
        String cap = isCapped() ? String.format(Locale.ROOT, "; factor capped at %.0fx", MAX_FACTOR) : "";
        String warm = warmupEpochs == 0
                ? ""
                : ", warmed up linearly over the first " + warmupEpochs + " epoch" + (warmupEpochs == 1 ? "" : "s");
        return String.format(
                Locale.ROOT,
                "learning rate %.4g at batch size %,d (%s for %s from %.4g at %,d, %s%s)%s",
                learningRate,
                batchSize,
                how,
                optimizer,
                referenceLearningRate,
                referenceBatchSize,
                referenceSource,
                cap,
                warm);
    }

    private static String name(Optimizer optimizer) {
        return optimizer == null ? Wording.UNKNOWN : optimizer.getClass().getSimpleName();
    }
}
