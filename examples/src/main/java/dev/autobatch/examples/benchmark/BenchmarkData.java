package dev.autobatch.examples.benchmark;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.Activation;
import ai.djl.nn.Blocks;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.dataset.ArrayDataset;
import ai.djl.training.dataset.Batch;
import dev.autobatch.examples.data.FashionMnist;
import java.nio.file.Path;
import java.util.Random;

/**
 * Fashion-MNIST and the 784-128-10 MLP for the benchmarks of this package, loaded through {@link
 * FashionMnist#load} (flat layout, pixels in [0, 1]); what this class adds is the seeded order of
 * the training images and the arrays of each split. The directory is {@link
 * FashionMnist#DEFAULT_DIRECTORY}, or the system property {@value #DIRECTORY_PROPERTY}.
 */
final class BenchmarkData {

    /** The system property naming another directory of the four IDX files. */
    static final String DIRECTORY_PROPERTY = "fashion.mnist.dir";

    private static final int PIXELS = 28 * 28;

    private BenchmarkData() {}

    /**
     * Loads both splits: the 60,000 training images shuffled by the seed, so each seed trains and
     * tunes on another order (the trials read the data in order), and the 10,000 test images in
     * file order as the validation set.
     *
     * @throws dev.autobatch.examples.data.DataFileException naming the missing or malformed file
     */
    static Splits load(NDManager manager, long seed) {
        Path directory = Path.of(System.getProperty(DIRECTORY_PROPERTY, FashionMnist.DEFAULT_DIRECTORY.toString()));
        FashionMnist data = FashionMnist.load(directory, manager, FashionMnist.Layout.FLAT, Integer.MAX_VALUE);
        return new Splits(
                split(data.train(), manager).shuffled(new Random(seed), manager), split(data.validation(), manager));
    }

    /** The training images, shuffled by the seed (see {@link #load}). */
    static Split training(NDManager manager, long seed) {
        return load(manager, seed).train();
    }

    /**
     * The two splits.
     *
     * @param train the training images, in the seed's order
     * @param validation the test images, in file order
     */
    record Splits(Split train, Split validation) {}

    /**
     * Images and labels in memory.
     *
     * @param images {@code (n, 784)} floats in [0, 1]
     * @param labels {@code (n)} class indices as floats
     */
    record Split(NDArray images, NDArray labels) {

        /** The split as a DJL dataset of the batch size, shuffled each pass or in order. */
        ArrayDataset dataset(int batchSize, boolean shuffle) {
            return new ArrayDataset.Builder()
                    .setData(images)
                    .optLabels(labels)
                    .setSampling(batchSize, shuffle)
                    .build();
        }

        /** How many samples the split holds. */
        int size() {
            return Math.toIntExact(labels.size());
        }

        /** The same samples in a Fisher-Yates order of the generator. */
        Split shuffled(Random random, NDManager manager) {
            int n = size();
            long[] order = new long[n];
            for (int i = 0; i < n; i++) {
                order[i] = i;
            }
            for (int i = n - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                long t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
            try (NDArray index = manager.create(order)) {
                return new Split(images.get(new NDIndex("{}", index)), labels.get(new NDIndex("{}", index)));
            }
        }
    }

    /** The classic 784-128-10 multilayer perceptron of DJL's MNIST example. */
    static Model mlp(String name) {
        Model model = Model.newInstance(name);
        model.setBlock(new SequentialBlock()
                .add(Blocks.batchFlattenBlock(PIXELS))
                .add(Linear.builder().setUnits(128).build())
                .add(Activation::relu)
                .add(Linear.builder().setUnits(10).build()));
        return model;
    }

    /**
     * The whole dataset's arrays. The batch is left open: its arrays live in a sub-manager of
     * {@code manager}, which frees them when it closes.
     */
    private static Split split(ArrayDataset dataset, NDManager manager) {
        Batch all = dataset.getByRange(manager, 0, dataset.size());
        return new Split(all.getData().head(), all.getLabels().head());
    }
}
