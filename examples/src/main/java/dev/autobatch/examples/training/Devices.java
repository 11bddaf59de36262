package dev.autobatch.examples.training;

import ai.djl.Device;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.TrainingConfig;
import dev.autobatch.core.DjlTrialRunner;

/**
 * Keeps the examples' training on one device. A model lives on the device it was built for, but
 * a trainer trains on its configuration's devices, by default every GPU there is; on a machine
 * with several GPUs, {@code --device gpu:1} must name the device in both.
 */
public final class Devices {

    private Devices() {}

    /**
     * Returns the trial runner's default configuration ({@link
     * DjlTrialRunner#defaultTrainingConfig()}: softmax cross-entropy, SGD at 0.01), training on
     * one device.
     *
     * @param device the device the model was built on
     * @return a new configuration
     * @throws IllegalStateException if the runner's default is no longer a {@code
     *     DefaultTrainingConfig}, whose devices can be set
     */
    public static TrainingConfig trialConfig(Device device) {
        TrainingConfig config = DjlTrialRunner.defaultTrainingConfig();
        if (!(config instanceof DefaultTrainingConfig defaults)) {
            throw new IllegalStateException("DjlTrialRunner.defaultTrainingConfig() is a "
                    + config.getClass().getName() + ", whose devices cannot be set; build the configuration here");
        }
        return defaults.optDevices(new Device[] {device});
    }
}
