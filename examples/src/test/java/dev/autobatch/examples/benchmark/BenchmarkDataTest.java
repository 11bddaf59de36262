package dev.autobatch.examples.benchmark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.autobatch.examples.data.FashionMnistFiles;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class BenchmarkDataTest {

    @Test
    void theSeedShufflesTheTrainingImagesWithTheirLabelsAndLeavesValidationInFileOrder() {
        FashionMnistFiles.assumeInstalled();
        try (NDManager manager = NDManager.newBaseManager()) {
            BenchmarkData.Splits one = BenchmarkData.load(manager, 1);
            BenchmarkData.Splits two = BenchmarkData.load(manager, 2);
            assertEquals(new Shape(60_000, 784), one.train().images().getShape());
            assertEquals(new Shape(10_000, 784), one.validation().images().getShape());
            float[] labelsOne = one.train().labels().toFloatArray();
            float[] labelsTwo = two.train().labels().toFloatArray();
            assertFalse(Arrays.equals(labelsOne, labelsTwo), "another seed, another order");
            Arrays.sort(labelsOne);
            Arrays.sort(labelsTwo);
            assertArrayEquals(labelsOne, labelsTwo, "the same samples");
            assertArrayEquals(
                    one.validation().labels().toFloatArray(),
                    two.validation().labels().toFloatArray());
            // Images move with their labels: the pixel sums of one class agree across orders.
            float sumOne =
                    one.train().images().get(one.train().labels().eq(3)).sum().getFloat();
            float sumTwo =
                    two.train().images().get(two.train().labels().eq(3)).sum().getFloat();
            assertEquals(sumOne, sumTwo, Math.abs(sumOne) * 1e-4);
        }
    }
}
