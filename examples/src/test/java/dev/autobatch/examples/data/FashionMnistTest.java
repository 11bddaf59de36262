package dev.autobatch.examples.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.dataset.Batch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FashionMnistTest {

    @Test
    void loadsFlatPixelsInUnitRangeAndClassLabels() {
        FashionMnistFiles.assumeInstalled();
        try (NDManager manager = NDManager.newBaseManager()) {
            FashionMnist data =
                    FashionMnist.load(FashionMnist.DEFAULT_DIRECTORY, manager, FashionMnist.Layout.FLAT, 500);
            assertEquals(500, data.train().size());
            assertEquals(500, data.validation().size());
            Batch batch = data.train().getByRange(manager, 0, 500);
            NDArray x = batch.getData().singletonOrThrow();
            NDArray y = batch.getLabels().singletonOrThrow();
            assertEquals(new Shape(500, 784), x.getShape());
            assertEquals(DataType.FLOAT32, x.getDataType());
            assertTrue(x.min().getFloat() >= 0f && x.max().getFloat() <= 1f);
            assertEquals(1f, x.max().getFloat(), "some pixel is white");
            assertEquals(new Shape(500), y.getShape());
            assertEquals(DataType.FLOAT32, y.getDataType());
            assertTrue(y.min().getFloat() >= 0f && y.max().getFloat() <= 9f);
        }
    }

    @Test
    void loadsImagesAsOneChannelForTheCnnAndTheWholeValidationFile() {
        FashionMnistFiles.assumeInstalled();
        try (NDManager manager = NDManager.newBaseManager()) {
            FashionMnist data =
                    FashionMnist.load(FashionMnist.DEFAULT_DIRECTORY, manager, FashionMnist.Layout.IMAGE, 20_000);
            assertEquals(20_000, data.train().size());
            assertEquals(10_000, data.validation().size(), "the t10k file has 10,000 images");
            Batch batch = data.validation().getByRange(manager, 0, 4);
            assertEquals(
                    new Shape(4, 1, 28, 28), batch.getData().singletonOrThrow().getShape());
        }
    }

    @Test
    void anEmptyDirectorySaysHowToGetTheData(@TempDir Path dir) {
        try (NDManager manager = NDManager.newBaseManager()) {
            DataFileException e = assertThrows(
                    DataFileException.class, () -> FashionMnist.load(dir, manager, FashionMnist.Layout.FLAT, 100));
            assertTrue(e.getMessage().contains(FashionMnist.TRAIN_IMAGES), e.getMessage());
            assertTrue(e.getMessage().contains("sudo apt-get install dataset-fashion-mnist"), e.getMessage());
        }
    }

    @Test
    void imagesAndLabelsOfDifferentCountsAreRejected(@TempDir Path dir) throws IOException {
        Files.write(
                dir.resolve(FashionMnist.TRAIN_IMAGES),
                IdxReaderTest.gzip(
                        IdxReaderTest.idx(IdxReader.IMAGES_MAGIC, new int[] {3, 28, 28}, new byte[3 * 784])));
        Files.write(
                dir.resolve(FashionMnist.TRAIN_LABELS),
                IdxReaderTest.gzip(IdxReaderTest.idx(IdxReader.LABELS_MAGIC, new int[] {2}, new byte[] {1, 2})));
        try (NDManager manager = NDManager.newBaseManager()) {
            DataFileException e = assertThrows(
                    DataFileException.class, () -> FashionMnist.load(dir, manager, FashionMnist.Layout.FLAT, 100));
            assertTrue(e.getMessage().contains("2 labels for 3 images"), e.getMessage());
        }
    }
}
