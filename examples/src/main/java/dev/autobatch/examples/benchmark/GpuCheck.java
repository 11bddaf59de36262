package dev.autobatch.examples.benchmark;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.dataset.ArrayDataset;
import dev.autobatch.autotune.AutoBatch;
import dev.autobatch.autotune.TuneOptions;
import dev.autobatch.autotune.TuningResult;
import dev.autobatch.autotune.probe.HardwareProbe;
import dev.autobatch.autotune.probe.HardwareSnapshot;
import dev.autobatch.core.Trial;
import dev.autobatch.examples.training.Devices;
import dev.autobatch.examples.training.ModelKind;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.function.Supplier;

/**
 * The GPU path checked on a real GPU ({@code bin/gpu-check}): tunes the small CNN (28x28 images)
 * and a ResNet-50 v1 (32x32) on {@code gpu(0)} with every default but the cache, prints the
 * hardware, each memory budget and trial table, and fails if any measured trial's device peak is
 * above its budget, or if no trial's device peak was measured at all (a check that measured nothing
 * would pass vacuously). The images are random: memory and throughput do not depend on the pixels.
 *
 * <p>Exit status: {@value #EXIT_OK} every peak within its budget; {@value #EXIT_FAILED} a peak
 * above the budget, none measured, or a tuning that failed; {@value #EXIT_NO_GPU} nothing to check
 * here (no GPU the engine sees, or the engine did not load), said in one line.
 */
public final class GpuCheck {

    /** Exit status: every measured device peak within its budget. */
    public static final int EXIT_OK = 0;
    /** Exit status: a peak above its budget, no peak measured, or a tuning that failed. */
    public static final int EXIT_FAILED = 1;
    /** Exit status: no GPU that DJL's engine can train on, so nothing was checked. */
    public static final int EXIT_NO_GPU = 2;

    private static final int CNN_IMAGES = 16_384;
    private static final int RESNET_IMAGES = 4_096;
    private static final int CLASSES = 10;

    private GpuCheck() {}

    /**
     * Runs the check and exits with its status.
     *
     * @param args none
     */
    public static void main(String[] args) {
        System.exit(run(System.out));
    }

    /**
     * Runs the check.
     *
     * @param out where everything is printed
     * @return {@link #EXIT_OK}, {@link #EXIT_FAILED} or {@link #EXIT_NO_GPU}
     */
    public static int run(PrintStream out) {
        Engine engine;
        int gpus;
        try {
            engine = Engine.getInstance();
            gpus = engine.getGpuCount();
        } catch (RuntimeException e) {
            out.println("gpu-check: DJL's PyTorch engine did not load (" + firstLine(e) + "); point"
                    + " PYTORCH_LIBRARY_PATH at a CUDA libtorch 2.7.1 as the README's 'Training on a GPU' says");
            return EXIT_NO_GPU;
        }
        if (gpus <= 0) {
            out.println("gpu-check: nothing to check: DJL's PyTorch engine (" + engine.getEngineName() + " "
                    + engine.getVersion() + ") sees no GPU here; it needs an NVIDIA GPU, a CUDA libtorch and"
                    + " the CUDA runtime libcudart where JNA finds it (README, 'Training on a GPU')");
            return EXIT_NO_GPU;
        }
        Device gpu = Device.gpu(0);
        HardwareSnapshot hardware = HardwareProbe.snapshot(engine);
        out.println("Hardware:");
        hardware.describe().lines().forEach(line -> out.println("  " + line));
        int problems = 0;
        problems += tune(
                out,
                "CNN on 1x28x28",
                () -> ModelKind.CNN.newModel("gpu-check-cnn", 7, gpu),
                gpu,
                new Shape(CNN_IMAGES, 1, 28, 28));
        problems += tune(out, "ResNet-50 v1 on 3x32x32", () -> resNet50(gpu), gpu, new Shape(RESNET_IMAGES, 3, 32, 32));
        out.println(
                problems == 0
                        ? "gpu-check: every measured device peak is within its budget"
                        : "gpu-check: FAILED, " + problems + (problems == 1 ? " problem" : " problems")
                                + " (see above)");
        return problems == 0 ? EXIT_OK : EXIT_FAILED;
    }

    private static Model resNet50(Device gpu) {
        Engine.getInstance().setRandomSeed(7);
        Model model = Model.newInstance("gpu-check-resnet50", gpu);
        model.setBlock(ResNetTuning.resNet50(CLASSES));
        return model;
    }

    /** Tunes one model on random images; returns how many problems {@link #check} found. */
    private static int tune(PrintStream out, String name, Supplier<Model> newModel, Device gpu, Shape images) {
        out.println();
        out.println("== " + name + " on " + gpu + " ==");
        try (NDManager manager = NDManager.newBaseManager(gpu);
                Model model = newModel.get()) {
            Random random = new Random(7);
            float[] pixels = new float[(int) images.size()];
            for (int i = 0; i < pixels.length; i++) {
                pixels[i] = (float) random.nextGaussian();
            }
            int count = (int) images.get(0);
            float[] labels = new float[count];
            for (int i = 0; i < count; i++) {
                labels[i] = random.nextInt(CLASSES);
            }
            ArrayDataset data = new ArrayDataset.Builder()
                    .setData(manager.create(pixels, images))
                    .optLabels(manager.create(labels, new Shape(count)))
                    .setSampling(32, true)
                    .build();
            TuningResult result = AutoBatch.tune(
                    model,
                    data,
                    TuneOptions.builder()
                            .optCache(false)
                            .optTrainingConfig(Devices.trialConfig(gpu))
                            .build());
            long budget = result.settings().memoryBudgetBytes();
            out.println(
                    "Memory budget: " + budget + " bytes (" + result.context().budgetBasis() + ")");
            out.println(result);
            return check(result.trials(), budget, out);
        } catch (RuntimeException e) {
            out.println("gpu-check: the tuning of the " + name + " failed: " + firstLine(e));
            return 1;
        }
    }

    /**
     * Checks each measured trial's device peak against the budget, printing a line for each one
     * above it.
     *
     * @param trials the tuning's trials
     * @param budgetBytes the budget the tuning derived
     * @param out where the lines go
     * @return the problems: one per peak above the budget, one if no trial's device peak was
     *     measured
     */
    static int check(List<Trial> trials, long budgetBytes, PrintStream out) {
        int problems = 0;
        int measured = 0;
        for (Trial trial : trials) {
            if (!trial.ok() || !trial.memoryMeasurement().isDevice() || trial.peakMemoryBytes() < 0) {
                continue;
            }
            measured++;
            if (trial.peakMemoryBytes() > budgetBytes) {
                problems++;
                out.printf(
                        Locale.ROOT,
                        "  ABOVE BUDGET: batch %d peaked at %,d bytes on the device, budget %,d%n",
                        trial.batchSize(),
                        trial.peakMemoryBytes(),
                        budgetBytes);
            }
        }
        if (measured == 0) {
            out.println("  NOT MEASURED: no trial has a device peak (the GPU's memory could not be read)");
            return problems + 1;
        }
        out.printf(Locale.ROOT, "  %d trial(s) with a device peak, %d above the budget%n", measured, problems);
        return problems;
    }

    private static String firstLine(Throwable e) {
        String message = e.getMessage();
        String first =
                message == null ? "" : message.lines().findFirst().orElse("").strip();
        return e.getClass().getSimpleName() + (first.isEmpty() ? "" : ": " + first);
    }
}
