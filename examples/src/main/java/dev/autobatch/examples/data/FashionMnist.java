package dev.autobatch.examples.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.dataset.ArrayDataset;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;

/**
 * Fashion-MNIST (Zalando Research, MIT licence): 28x28 grey-scale images of clothing in 10
 * classes, 60,000 for training and 10,000 for testing, loaded as DJL {@link ArrayDataset}s.
 *
 * <p>Pixels become {@code float32} in [0, 1] (the byte divided by 255); labels become {@code
 * float32} class numbers 0 to 9, shape {@code (n)}, as DJL's softmax cross-entropy loss takes
 * them. The validation split is the data set's own 10,000-image test file, which no training step
 * ever sees: held-out data by construction, and the split every published Fashion-MNIST accuracy
 * is measured on.
 *
 * @param directory the directory the four files were read from
 * @param train the 60,000 training samples (or the first {@code limit})
 * @param validation the 10,000 held-out samples (or the first {@code limit})
 * @param layout the shape of one sample
 */
public record FashionMnist(Path directory, ArrayDataset train, ArrayDataset validation, Layout layout) {

    /** Where the Debian package {@code dataset-fashion-mnist} installs the files. */
    public static final Path DEFAULT_DIRECTORY = Path.of("/usr/share/datasets/fashion-mnist");
    /** The training images. */
    public static final String TRAIN_IMAGES = "train-images-idx3-ubyte.gz";
    /** The training labels. */
    public static final String TRAIN_LABELS = "train-labels-idx1-ubyte.gz";
    /** The test images, used as the validation split. */
    public static final String TEST_IMAGES = "t10k-images-idx3-ubyte.gz";
    /** The test labels, used as the validation split. */
    public static final String TEST_LABELS = "t10k-labels-idx1-ubyte.gz";
    /** The number of classes. */
    public static final int CLASSES = 10;

    private static final int SIDE = 28;

    /** The shape of one sample in the loaded arrays. */
    public enum Layout {
        /** A flat vector of 784 pixels, for a multi-layer perceptron: arrays of shape (n, 784). */
        FLAT,
        /** One channel of 28x28 pixels, for a convolutional network: arrays of shape (n, 1, 28, 28). */
        IMAGE
    }

    /**
     * Returns whether the four files are present in a directory (it does not check their contents).
     *
     * @param directory the directory
     * @return {@code true} if all four files exist
     */
    public static boolean isPresent(Path directory) {
        for (String name : new String[] {TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS}) {
            if (!directory.resolve(name).toFile().isFile()) {
                return false;
            }
        }
        return true;
    }

    /**
     * Loads the training and validation splits.
     *
     * @param directory the directory holding the four gzipped IDX files ({@link #DEFAULT_DIRECTORY}
     *     where the Debian package installs them)
     * @param manager the manager that will own the arrays; closing it frees them
     * @param layout the shape of one sample
     * @param limit the most samples of each split to load; {@code Integer.MAX_VALUE} for all
     * @return the two splits
     * @throws DataFileException if a file is missing or malformed, or images and labels disagree
     * @throws IllegalArgumentException if the limit is below 1
     */
    public static FashionMnist load(Path directory, NDManager manager, Layout layout, int limit) {
        Objects.requireNonNull(layout, "layout");
        if (limit < 1) {
            throw new IllegalArgumentException("the sample limit must be at least 1, got " + limit);
        }
        ArrayDataset train = split(directory, TRAIN_IMAGES, TRAIN_LABELS, manager, layout, limit);
        ArrayDataset validation = split(directory, TEST_IMAGES, TEST_LABELS, manager, layout, limit);
        return new FashionMnist(directory, train, validation, layout);
    }

    private static ArrayDataset split(
            Path directory, String imagesName, String labelsName, NDManager manager, Layout layout, int limit) {
        Path imagesFile = directory.resolve(imagesName);
        Path labelsFile = directory.resolve(labelsName);
        IdxArray images = IdxReader.read(imagesFile, IdxReader.IMAGES_MAGIC);
        IdxArray labels = IdxReader.read(labelsFile, IdxReader.LABELS_MAGIC);
        int[] dims = images.dimensions();
        if (dims[1] != SIDE || dims[2] != SIDE) {
            throw new DataFileException(
                    imagesFile, "its images are " + dims[1] + "x" + dims[2] + ", Fashion-MNIST's are 28x28");
        }
        if (images.count() != labels.count()) {
            throw new DataFileException(
                    labelsFile,
                    "it holds " + labels.count() + " labels for " + images.count() + " images in " + imagesName);
        }
        for (byte label : labels.values()) {
            if ((label & 0xFF) >= CLASSES) {
                throw new DataFileException(
                        labelsFile, "it holds the label " + (label & 0xFF) + ", outside 0 to " + (CLASSES - 1));
            }
        }
        int n = Math.min(limit, images.count());
        if (n == 0) {
            throw new DataFileException(imagesFile, "it holds no images");
        }
        int pixels = SIDE * SIDE;
        Shape shape = layout == Layout.FLAT ? new Shape(n, pixels) : new Shape(n, 1, SIDE, SIDE);
        NDArray x = floats(manager, Arrays.copyOf(images.values(), n * pixels), shape)
                .divi(255f);
        NDArray y = floats(manager, Arrays.copyOf(labels.values(), n), new Shape(n));
        return new ArrayDataset.Builder()
                .setData(x)
                .optLabels(y)
                .setSampling(32, false)
                .build();
    }

    /** Bytes go to native memory as uint8 and are converted there: no float[] on the Java heap. */
    private static NDArray floats(NDManager manager, byte[] bytes, Shape shape) {
        ByteBuffer buffer = ByteBuffer.allocateDirect(bytes.length);
        buffer.put(bytes).flip();
        try (NDArray raw = manager.create(buffer, shape, DataType.UINT8)) {
            return raw.toType(DataType.FLOAT32, true);
        }
    }
}
