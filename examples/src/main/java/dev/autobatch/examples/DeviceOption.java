package dev.autobatch.examples;

import ai.djl.Device;
import java.util.Locale;
import java.util.Optional;
import java.util.function.IntSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The main job's {@code --device}: where the model trains, as DJL numbers devices. {@code gpu:N}
 * is CUDA's N-th visible GPU ({@code Device.gpu(N)}), so {@code CUDA_VISIBLE_DEVICES} renumbers
 * them from 0.
 */
final class DeviceOption {

    private static final Pattern GPU = Pattern.compile("gpu(?::(.*))?");
    private static final String CHOICES = "cpu, gpu or gpu:N (N a GPU index from 0, such as gpu:1)";

    private DeviceOption() {}

    /**
     * Parses {@code cpu}, {@code gpu} (the first GPU) or {@code gpu:N}, in any case.
     *
     * @param value the option's value
     * @return the device
     * @throws UsageException naming the value and the forms accepted
     */
    static Device parse(String value) throws UsageException {
        String text = value.strip().toLowerCase(Locale.ROOT);
        if (text.equals("cpu")) {
            return Device.cpu();
        }
        Matcher m = GPU.matcher(text);
        if (!m.matches()) {
            throw new UsageException("--device must be " + CHOICES + ", got '" + value + "'");
        }
        if (m.group(1) == null) {
            return Device.gpu(0);
        }
        String index = m.group(1).strip();
        if (!index.matches("[0-9]{1,4}")) {
            throw new UsageException("--device " + value + ": the GPU index must be a whole number from 0, got '"
                    + index + "'; for example --device gpu:0");
        }
        return Device.gpu(Integer.parseInt(index));
    }

    /**
     * Checks that the engine can train on the device the user named.
     *
     * @param device the device from the command line, or empty for DJL's default
     * @param gpuCount how many GPUs the engine sees, asked only for a GPU (it loads the engine)
     * @throws UsageException naming the device, what the engine sees and what to give instead
     */
    static void requireAvailable(Optional<Device> device, IntSupplier gpuCount) throws UsageException {
        if (device.isEmpty() || !device.get().isGpu()) {
            return;
        }
        int index = device.get().getDeviceId();
        int count = gpuCount.getAsInt();
        String named = "--device gpu:" + index;
        if (count <= 0) {
            throw new UsageException(named + ": DJL's PyTorch engine sees no GPU here (no NVIDIA GPU or driver,"
                    + " the CPU build of libtorch, or no CUDA runtime libcudart where JNA looks); give --device cpu,"
                    + " or set up a CUDA libtorch as the README's section 'Training on a GPU' says");
        }
        if (index >= count) {
            throw new UsageException(named + ": PyTorch sees " + count + (count == 1 ? " GPU" : " GPUs")
                    + " here, gpu:0" + (count > 1 ? " to gpu:" + (count - 1) : "") + "; give one of those"
                    + " (CUDA_VISIBLE_DEVICES renumbers the visible GPUs from 0)");
        }
    }
}
