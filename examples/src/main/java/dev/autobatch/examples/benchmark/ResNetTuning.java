package dev.autobatch.examples.benchmark;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.ParallelBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.dataset.ArrayDataset;
import dev.autobatch.autotune.AutoBatch;
import dev.autobatch.autotune.TuneOptions;
import dev.autobatch.autotune.TuningListener;
import dev.autobatch.autotune.TuningResult;
import dev.autobatch.core.Trial;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * An expensive model on a CPU: {@code AutoBatch.tune} with every default on a ResNet-50 (v1,
 * bottleneck blocks 3-4-6-3, 23.5 million parameters) for 3x32x32 images, CIFAR-10's shape, on
 * 4,096 random images of 10 classes (throughput does not depend on what the pixels show). It
 * prints each trial, the progress of long ones, and the result with the tuning's wall time, which
 * the default time budget of 60 s bounds.
 *
 * <p>Run (see the README): {@code java -cp ... dev.autobatch.examples.benchmark.ResNetTuning}.
 */
public final class ResNetTuning {

    private static final int IMAGES = 4096;
    private static final int CLASSES = 10;

    private ResNetTuning() {}

    /**
     * Tunes and prints.
     *
     * @param args none
     */
    public static void main(String[] args) {
        Engine.getInstance().setRandomSeed(7);
        try (NDManager manager = NDManager.newBaseManager();
                Model model = Model.newInstance("resnet50-v1-32x32")) {
            model.setBlock(resNet50(CLASSES));
            Random random = new Random(7);
            float[] pixels = new float[IMAGES * 3 * 32 * 32];
            for (int i = 0; i < pixels.length; i++) {
                pixels[i] = (float) random.nextGaussian();
            }
            float[] labels = new float[IMAGES];
            for (int i = 0; i < IMAGES; i++) {
                labels[i] = random.nextInt(CLASSES);
            }
            ArrayDataset data = new ArrayDataset.Builder()
                    .setData(manager.create(pixels, new Shape(IMAGES, 3, 32, 32)))
                    .optLabels(manager.create(labels, new Shape(IMAGES)))
                    .setSampling(32, true)
                    .build();
            long start = System.nanoTime();
            TuningResult result = AutoBatch.tune(
                    model,
                    data,
                    TuneOptions.builder()
                            .optCache(false)
                            .optListener(new TuningListener() {
                                @Override
                                public void onTrial(Trial trial, String verdict) {
                                    System.out.printf(
                                            Locale.ROOT,
                                            "  %.1f s: trial batch %d: %,.1f samples/s: %s%n",
                                            (System.nanoTime() - start) / 1e9,
                                            trial.batchSize(),
                                            trial.samplesPerSecond(),
                                            verdict);
                                }

                                @Override
                                public void onProgress(int batchSize, String phase, int steps, double seconds) {
                                    System.out.printf(
                                            Locale.ROOT,
                                            "  trial batch %d: %s, %d steps, %.1f s ...%n",
                                            batchSize,
                                            phase,
                                            steps,
                                            seconds);
                                }
                            })
                            .build());
            System.out.println(result);
            System.out.println("Why: " + result.explanation());
            System.out.printf(
                    Locale.ROOT,
                    "Tuned in %.1f s (time budget %d s): batch size %d, stopped on %s%n",
                    (System.nanoTime() - start) / 1e9,
                    result.settings().timeBudget().toSeconds(),
                    result.batchSize(),
                    result.stopReason());
        }
    }

    /** ResNet-50 v1 for 32x32 inputs: a 3x3 stem, four stages of bottleneck blocks, global pooling. */
    static Block resNet50(int classes) {
        SequentialBlock net = new SequentialBlock()
                .add(conv(64, 3, 1))
                .add(BatchNorm.builder().build())
                .add(Activation::relu);
        int[] blocks = {3, 4, 6, 3};
        int[] widths = {64, 128, 256, 512};
        for (int stage = 0; stage < blocks.length; stage++) {
            for (int i = 0; i < blocks[stage]; i++) {
                int stride = stage > 0 && i == 0 ? 2 : 1;
                net.add(bottleneck(widths[stage], stride, i == 0));
            }
        }
        return net.add(Pool.globalAvgPool2dBlock())
                .add(Blocks.batchFlattenBlock())
                .add(Linear.builder().setUnits(classes).build());
    }

    /** 1x1 down, 3x3 (with the stride), 1x1 up to four times the width; the shortcut projects on the first. */
    private static Block bottleneck(int width, int stride, boolean project) {
        SequentialBlock residual = new SequentialBlock()
                .add(conv(width, 1, 1))
                .add(BatchNorm.builder().build())
                .add(Activation::relu)
                .add(conv(width, 3, stride))
                .add(BatchNorm.builder().build())
                .add(Activation::relu)
                .add(conv(4 * width, 1, 1))
                .add(BatchNorm.builder().build());
        Block shortcut = project
                ? new SequentialBlock()
                        .add(conv(4 * width, 1, stride))
                        .add(BatchNorm.builder().build())
                : Blocks.identityBlock();
        return new SequentialBlock()
                .add(new ParallelBlock(ResNetTuning::sum, List.of(residual, shortcut)))
                .add(Activation::relu);
    }

    private static NDList sum(List<NDList> branches) {
        NDArray total = branches.get(0).singletonOrThrow().add(branches.get(1).singletonOrThrow());
        return new NDList(total);
    }

    private static Block conv(int filters, int kernel, int stride) {
        return Conv2d.builder()
                .setFilters(filters)
                .setKernelShape(new Shape(kernel, kernel))
                .optStride(new Shape(stride, stride))
                .optPadding(new Shape(kernel / 2, kernel / 2))
                .optBias(false)
                .build();
    }
}
