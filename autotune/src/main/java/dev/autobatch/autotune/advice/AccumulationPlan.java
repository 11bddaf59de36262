package dev.autobatch.autotune.advice;

import dev.autobatch.core.Checks;

/**
 * How to train at a global batch size: micro-batches of {@code microBatchSize} samples on each of
 * {@code devices} devices, {@code accumulationSteps} of them accumulated before each optimizer
 * update, so one update sees {@code microBatchSize * devices * accumulationSteps} samples. Core's
 * {@code GradientAccumulation} trains such a step, and {@code DjlTrialRunner.Builder
 * .optAccumulationSteps} measures one.
 *
 * <p>Without a target batch size ({@code TuneOptions.optTargetBatchSize}) the plan is the chosen
 * batch size on every device, no accumulation. With a target {@code T}, {@link #plan} makes a plan
 * (see there).
 *
 * @param microBatchSize the samples of one forward and backward pass on one device, at least 1
 * @param accumulationSteps micro-batches accumulated before each optimizer update, at least 1
 * @param devices the devices that train in parallel, at least 1 (1 on a CPU)
 * @param targetBatchSize the global batch size asked for, or 0 when none was
 */
public record AccumulationPlan(int microBatchSize, int accumulationSteps, int devices, int targetBatchSize) {

    /** Validates the components. */
    public AccumulationPlan {
        Checks.atLeastOne(microBatchSize, "micro-batch size", "");
        Checks.atLeastOne(accumulationSteps, "accumulation steps", "1 means no accumulation");
        Checks.atLeastOne(devices, "devices", "");
        if (targetBatchSize < 0) {
            throw new IllegalArgumentException(
                    "target batch size must be positive, or 0 for none, got " + targetBatchSize);
        }
    }

    /**
     * The plan without accumulation: the batch size on every device.
     *
     * @param batchSize the batch size a device trains, at least 1
     * @param devices the devices, at least 1
     * @return the plan, with no target
     */
    public static AccumulationPlan none(int batchSize, int devices) {
        return new AccumulationPlan(batchSize, 1, devices, 0);
    }

    /**
     * Plans a global target batch size. Per device the target is {@code t = ceil(T / devices)}.
     *
     * <ul>
     *   <li>If {@code t} fits ({@code t <= largestFitting}), it is trained as it is: micro-batch
     *       {@code t}, no accumulation.
     *   <li>Otherwise the micro-batch is at most {@code preferredMicroBatch} (the tuned size: what
     *       the goal chose, and for a target only throughput matters, so the size that is fast
     *       enough), never more than what fits. The fewest steps that reach {@code t} are {@code
     *       k0 = ceil(t / m)}; the plan takes the smallest {@code k} from {@code k0} to {@code 2 k0}
     *       that divides {@code t}, so the global batch is exactly the target with a micro-batch of
     *       {@code t / k}, not much below half of {@code m}. Where none divides it (say {@code t} is a
     *       large prime), {@code k = k0} with micro-batch {@code ceil(t / k0)}: the global batch
     *       then exceeds the target by fewer than {@code k0 * devices} samples.
     * </ul>
     *
     * @param targetBatchSize the global batch size {@code T} wanted, at least 1
     * @param preferredMicroBatch the largest micro-batch wanted, at least 1
     * @param largestFitting the largest batch a device is known or predicted to fit, at least 1
     * @param devices the devices, at least 1
     * @return the plan
     * @throws IllegalArgumentException if a size is below 1
     */
    public static AccumulationPlan plan(
            int targetBatchSize, int preferredMicroBatch, long largestFitting, int devices) {
        if (targetBatchSize < 1) {
            throw new IllegalArgumentException("target batch size must be at least 1, got " + targetBatchSize);
        }
        if (preferredMicroBatch < 1 || largestFitting < 1 || devices < 1) {
            throw new IllegalArgumentException("micro-batch, largest fitting size and devices must be at least 1, got "
                    + preferredMicroBatch + ", " + largestFitting + ", " + devices);
        }
        int perDevice = (targetBatchSize + devices - 1) / devices;
        if (perDevice <= largestFitting) {
            return new AccumulationPlan(perDevice, 1, devices, targetBatchSize);
        }
        int micro = (int) Math.min(preferredMicroBatch, largestFitting);
        int fewest = (perDevice + micro - 1) / micro;
        for (int k = fewest; k <= 2L * fewest; k++) {
            if (perDevice % k == 0) {
                return new AccumulationPlan(perDevice / k, k, devices, targetBatchSize);
            }
        }
        return new AccumulationPlan((perDevice + fewest - 1) / fewest, fewest, devices, targetBatchSize);
    }

    /**
     * Returns the samples one optimizer update sees.
     *
     * @return {@code microBatchSize * devices * accumulationSteps}
     */
    public int globalBatchSize() {
        return Math.toIntExact((long) microBatchSize * devices * accumulationSteps);
    }

    /**
     * Returns whether the plan accumulates gradients.
     *
     * @return {@code true} if {@link #accumulationSteps()} is above 1
     */
    public boolean accumulates() {
        return accumulationSteps > 1;
    }

    /**
     * Says the plan for people.
     *
     * @return such as {@code "micro-batch 256 x 1 device x 4 accumulation steps = global batch
     *     1,024 (target 1,000)"}
     */
    public String describe() {
        return String.format(
                java.util.Locale.ROOT,
                "micro-batch %,d x %d device%s x %d accumulation step%s = global batch %,d%s",
                microBatchSize,
                devices,
                devices == 1 ? "" : "s",
                accumulationSteps,
                accumulationSteps == 1 ? "" : "s",
                globalBatchSize(),
                targetBatchSize > 0 ? String.format(java.util.Locale.ROOT, " (target %,d)", targetBatchSize) : "");
    }
}
