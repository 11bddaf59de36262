package dev.autobatch.examples.benchmark;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Blocks;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.dataset.ArrayDataset;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.zip.GZIPInputStream;

/**
 * Fashion-MNIST and the 784-128-10 MLP for the benchmarks of this package: a minimal reader of
 * the gzipped IDX files of the Debian package {@code dataset-fashion-mnist}, pixels scaled to [0,
 * 1]. The directory is {@code /usr/share/datasets/fashion-mnist}, or the system property {@value
 * #DIRECTORY_PROPERTY}.
 */
final class BenchmarkData {

    /** The system property naming another directory of the four IDX files. */
    static final String DIRECTORY_PROPERTY = "fashion.mnist.dir";

    private static final int PIXELS = 28 * 28;

    private BenchmarkData() {}

    /**
     * The 60,000 training images, shuffled by the seed so each seed trains and tunes on another
     * order (the trials read the data in order).
     */
    static Split training(NDManager manager, long seed) throws IOException {
        return load(manager, "train", new Random(seed));
    }

    /** The 10,000 test images, in file order, as the validation set. */
    static Split validation(NDManager manager) throws IOException {
        return load(manager, "t10k", null);
    }

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

    private static Split load(NDManager manager, String prefix, Random shuffle) throws IOException {
        Path directory = Path.of(System.getProperty(DIRECTORY_PROPERTY, "/usr/share/datasets/fashion-mnist"));
        byte[] images = read(directory.resolve(prefix + "-images-idx3-ubyte.gz"), 3);
        byte[] labels = read(directory.resolve(prefix + "-labels-idx1-ubyte.gz"), 1);
        int n = labels.length;
        if (images.length != n * PIXELS) {
            throw new IOException(prefix + ": " + images.length + " pixels for " + n + " labels; the files do not match");
        }
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        if (shuffle != null) {
            for (int i = n - 1; i > 0; i--) {
                int j = shuffle.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
        }
        float[] x = new float[n * PIXELS];
        float[] y = new float[n];
        for (int i = 0; i < n; i++) {
            int from = order[i];
            for (int p = 0; p < PIXELS; p++) {
                x[i * PIXELS + p] = (images[from * PIXELS + p] & 0xff) / 255f;
            }
            y[i] = labels[from] & 0xff;
        }
        return new Split(manager.create(x, new Shape(n, PIXELS)), manager.create(y, new Shape(n)));
    }

    /** The unsigned bytes of an IDX file with {@code dimensions} dimensions. */
    private static byte[] read(Path file, int dimensions) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException("Fashion-MNIST file " + file + " not found; install the Debian package"
                    + " dataset-fashion-mnist (bin/setup) or set -D" + DIRECTORY_PROPERTY + "=<directory>");
        }
        try (InputStream raw = Files.newInputStream(file);
                DataInputStream in = new DataInputStream(new GZIPInputStream(raw, 1 << 16))) {
            int magic = in.readInt();
            if (magic != (0x0800 | dimensions)) {
                throw new IOException(file + ": IDX magic " + Integer.toHexString(magic) + ", expected unsigned bytes in "
                        + dimensions + " dimensions");
            }
            long size = 1;
            for (int d = 0; d < dimensions; d++) {
                size *= in.readInt();
            }
            byte[] data = new byte[Math.toIntExact(size)];
            in.readFully(data);
            return data;
        }
    }
}
