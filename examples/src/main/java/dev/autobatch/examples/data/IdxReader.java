package dev.autobatch.examples.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads files in the IDX format of MNIST and Fashion-MNIST, gzipped or not.
 *
 * <p>An IDX file starts with a big-endian magic number: two zero bytes, a type byte ({@code 0x08}
 * for unsigned bytes, the only type read here) and the number of dimensions. Then come the
 * dimensions, one big-endian 32-bit integer each, and the values in row-major order. Images are
 * magic {@value #IMAGES_MAGIC} ({@code 0x00000803}: three dimensions), labels {@value
 * #LABELS_MAGIC} ({@code 0x00000801}: one dimension).
 */
public final class IdxReader {

    /** The magic number of an IDX file of unsigned-byte images: count, rows, columns. */
    public static final int IMAGES_MAGIC = 0x00000803;
    /** The magic number of an IDX file of unsigned-byte labels: count. */
    public static final int LABELS_MAGIC = 0x00000801;

    private static final int GZIP_MAGIC = 0x1f8b;

    private IdxReader() {}

    /**
     * Reads an IDX file, gunzipping it if it is gzipped, and checks its magic number.
     *
     * @param file the file
     * @param expectedMagic {@link #IMAGES_MAGIC} or {@link #LABELS_MAGIC}
     * @return the dimensions and values
     * @throws DataFileException if the file is missing, unreadable, truncated or not an IDX file
     *     with that magic number; the message names the file and what is wrong
     */
    public static IdxArray read(Path file, int expectedMagic) {
        if (!Files.isRegularFile(file)) {
            throw new DataFileException(file, "it does not exist or is not a regular file");
        }
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
                DataInputStream in = new DataInputStream(maybeGunzip(raw))) {
            int magic = in.readInt();
            if (magic != expectedMagic) {
                throw new DataFileException(
                        file,
                        String.format(
                                "its magic number is 0x%08x, expected 0x%08x (%s)",
                                magic, expectedMagic, describe(expectedMagic)));
            }
            int[] dimensions = new int[magic & 0xFF];
            long count = 1;
            for (int i = 0; i < dimensions.length; i++) {
                dimensions[i] = in.readInt();
                if (dimensions[i] < 0) {
                    throw new DataFileException(file, "dimension " + i + " is negative: " + dimensions[i]);
                }
                count *= dimensions[i];
            }
            if (count > Integer.MAX_VALUE - 8) {
                throw new DataFileException(file, "it declares " + count + " values, too many to load");
            }
            byte[] values = new byte[(int) count];
            in.readFully(values);
            if (in.read() != -1) {
                throw new DataFileException(
                        file, "it holds more data than its dimensions declare (" + count + " values)");
            }
            return new IdxArray(dimensions, values);
        } catch (NoSuchFileException e) {
            throw new DataFileException(file, "it does not exist");
        } catch (EOFException e) {
            throw new DataFileException(file, "it ends before the data its header declares: truncated");
        } catch (ZipException e) {
            throw new DataFileException(file, "it is not a valid gzip file (" + e.getMessage() + ")");
        } catch (IOException e) {
            throw new DataFileException(file, "it cannot be read (" + e + ")");
        }
    }

    /** Files ending in .gz are usually gzipped, but the first two bytes decide. */
    private static InputStream maybeGunzip(InputStream in) throws IOException {
        in.mark(2);
        int first = in.read();
        int second = in.read();
        in.reset();
        if (first >= 0 && second >= 0 && ((first << 8) | second) == GZIP_MAGIC) {
            return new GZIPInputStream(in, 1 << 16);
        }
        return in;
    }

    private static String describe(int magic) {
        return magic == IMAGES_MAGIC ? "unsigned-byte images" : magic == LABELS_MAGIC ? "unsigned-byte labels" : "IDX";
    }
}
