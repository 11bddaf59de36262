package dev.autobatch.autotune;

import dev.autobatch.autotune.probe.HardwareSnapshot;
import dev.autobatch.autotune.report.Wording;

/**
 * Where a tuning ran: the model, the device, the machine and how the budget was chosen.
 *
 * @param modelName the DJL model's name, or {@link Wording#UNKNOWN}
 * @param device the device that trained, such as {@code "cpu()"} or {@code "gpu(0)"}, or {@link
 *     Wording#UNKNOWN}
 * @param hardware the machine when the tuning started
 * @param budgetBasis how the memory budget was derived, a phrase for people
 * @param warmupSteps unmeasured training steps before each trial's measured ones
 * @param measuredSteps measured training steps a trial
 */
public record TuningContext(
        String modelName,
        String device,
        HardwareSnapshot hardware,
        String budgetBasis,
        int warmupSteps,
        int measuredSteps) {

    /**
     * The context of a search that ran without a model, such as a replay.
     *
     * @return a context whose values are unknown
     */
    public static TuningContext none() {
        return new TuningContext(Wording.UNKNOWN, Wording.UNKNOWN, HardwareSnapshot.unknown(), "given", 0, 0);
    }
}
