package dev.autobatch.examples.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxReaderTest {

    @TempDir
    Path dir;

    @Test
    void readsTheRealFashionMnistTestLabels() {
        FashionMnistFiles.assumeInstalled();
        IdxArray labels = IdxReader.read(
                FashionMnist.DEFAULT_DIRECTORY.resolve(FashionMnist.TEST_LABELS), IdxReader.LABELS_MAGIC);
        assertArrayEquals(new int[] {10_000}, labels.dimensions());
        int[] perClass = new int[10];
        for (byte b : labels.values()) {
            perClass[b & 0xFF]++;
        }
        // Fashion-MNIST's test split is balanced: 1,000 images of each class.
        for (int count : perClass) {
            assertEquals(1000, count);
        }
    }

    @Test
    void readsTheRealFashionMnistTrainingImages() {
        FashionMnistFiles.assumeInstalled();
        IdxArray images = IdxReader.read(
                FashionMnist.DEFAULT_DIRECTORY.resolve(FashionMnist.TRAIN_IMAGES), IdxReader.IMAGES_MAGIC);
        assertArrayEquals(new int[] {60_000, 28, 28}, images.dimensions());
        assertEquals(784, images.itemSize());
    }

    @Test
    void readsAnUncompressedFile() throws IOException {
        Path file = dir.resolve("small-idx3-ubyte");
        Files.write(file, idx(IdxReader.IMAGES_MAGIC, new int[] {2, 2, 3}, new byte[] {
            0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, (byte) 255
        }));
        IdxArray images = IdxReader.read(file, IdxReader.IMAGES_MAGIC);
        assertArrayEquals(new int[] {2, 2, 3}, images.dimensions());
        assertEquals(2, images.count());
        assertEquals(6, images.itemSize());
        assertEquals(255, images.values()[11] & 0xFF);
    }

    @Test
    void readsAGzippedFile() throws IOException {
        Path file = dir.resolve("small-idx1-ubyte.gz");
        Files.write(file, gzip(idx(IdxReader.LABELS_MAGIC, new int[] {3}, new byte[] {7, 0, 9})));
        assertArrayEquals(
                new byte[] {7, 0, 9},
                IdxReader.read(file, IdxReader.LABELS_MAGIC).values());
    }

    @Test
    void aMissingFileSaysHowToGetTheData() {
        DataFileException e = assertThrows(
                DataFileException.class, () -> IdxReader.read(dir.resolve("nope.gz"), IdxReader.LABELS_MAGIC));
        assertTrue(e.getMessage().contains("nope.gz"), e.getMessage());
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
        assertTrue(e.getMessage().contains("apt-get install dataset-fashion-mnist"), e.getMessage());
        assertTrue(e.getMessage().contains("--data DIR"), e.getMessage());
    }

    @Test
    void aTruncatedFileIsReportedAsTruncated() throws IOException {
        Path file = dir.resolve("cut-idx3-ubyte.gz");
        byte[] whole = idx(IdxReader.IMAGES_MAGIC, new int[] {100, 28, 28}, new byte[100 * 784]);
        byte[] cut = java.util.Arrays.copyOf(whole, 5000);
        Files.write(file, gzip(cut));
        DataFileException e = assertThrows(DataFileException.class, () -> IdxReader.read(file, IdxReader.IMAGES_MAGIC));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
        assertTrue(e.getMessage().contains("apt-get install dataset-fashion-mnist"), e.getMessage());
    }

    @Test
    void aCorruptGzipStreamIsReported() throws IOException {
        Path file = dir.resolve("corrupt-idx1-ubyte.gz");
        byte[] zipped = gzip(idx(IdxReader.LABELS_MAGIC, new int[] {1000}, new byte[1000]));
        for (int i = 12; i < zipped.length - 8; i++) {
            zipped[i] = (byte) 0xA5;
        }
        Files.write(file, zipped);
        DataFileException e = assertThrows(DataFileException.class, () -> IdxReader.read(file, IdxReader.LABELS_MAGIC));
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("--data DIR"), e.getMessage());
    }

    @Test
    void labelsReadAsImagesNameBothMagicNumbers() throws IOException {
        Path file = dir.resolve("labels-idx1-ubyte");
        Files.write(file, idx(IdxReader.LABELS_MAGIC, new int[] {2}, new byte[] {1, 2}));
        DataFileException e = assertThrows(DataFileException.class, () -> IdxReader.read(file, IdxReader.IMAGES_MAGIC));
        assertTrue(e.getMessage().contains("0x00000801"), e.getMessage());
        assertTrue(e.getMessage().contains("expected 0x00000803"), e.getMessage());
    }

    @Test
    void trailingBytesAreRejected() throws IOException {
        Path file = dir.resolve("long-idx1-ubyte");
        byte[] good = idx(IdxReader.LABELS_MAGIC, new int[] {2}, new byte[] {1, 2});
        Files.write(file, java.util.Arrays.copyOf(good, good.length + 3));
        DataFileException e = assertThrows(DataFileException.class, () -> IdxReader.read(file, IdxReader.LABELS_MAGIC));
        assertTrue(e.getMessage().contains("more data than its dimensions declare"), e.getMessage());
    }

    static byte[] idx(int magic, int[] dims, byte[] values) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(magic);
            for (int d : dims) {
                out.writeInt(d);
            }
            out.write(values);
        }
        return bytes.toByteArray();
    }

    static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream out = new GZIPOutputStream(bytes)) {
            out.write(data);
        }
        return bytes.toByteArray();
    }
}
