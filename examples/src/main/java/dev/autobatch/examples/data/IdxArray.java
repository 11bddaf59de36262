package dev.autobatch.examples.data;

import java.util.Arrays;

/**
 * The contents of one IDX file of unsigned bytes: its dimensions and its values in row-major
 * order.
 *
 * @param dimensions the size of each dimension, outermost first (for images: count, rows,
 *     columns)
 * @param values the values, one byte each, to be read as unsigned ({@code b & 0xFF})
 */
public record IdxArray(int[] dimensions, byte[] values) {

    /** Copies nothing: the reader hands over arrays it no longer uses. */
    public IdxArray {
        long product = 1;
        for (int d : dimensions) {
            product *= d;
        }
        if (product != values.length) {
            throw new IllegalArgumentException("dimensions "
                    + Arrays.toString(dimensions)
                    + " describe "
                    + product
                    + " values, but "
                    + values.length
                    + " were given");
        }
    }

    /**
     * Returns the size of the outermost dimension: the number of items (images or labels).
     *
     * @return the item count
     */
    public int count() {
        return dimensions[0];
    }

    /**
     * Returns the number of values of one item: 784 for a 28x28 image, 1 for a label.
     *
     * @return values per item
     */
    public int itemSize() {
        return count() == 0 ? 0 : values.length / count();
    }
}
