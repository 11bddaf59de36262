package dev.autobatch.autotune.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class LeastSquaresTest {

    @Test
    void recoversAnExactLineOverSeveralOrdersOfMagnitude() {
        double[] x = {2, 64, 4096, 262144};
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = 3e-3 + 12e-6 * x[i];
        }

        Line line = LeastSquares.fit(x, y);

        assertEquals(3e-3, line.intercept(), 1e-12);
        assertEquals(12e-6, line.slope(), 1e-15);
    }

    @Test
    void aPointWithoutWeightIsIgnored() {
        Line line = LeastSquares.fit(new double[] {1, 2, 3}, new double[] {1, 2, 100}, new double[] {1, 1, 0});

        assertEquals(0, line.intercept(), 1e-12);
        assertEquals(1, line.slope(), 1e-12);
    }

    @Test
    void aLineThroughTwoPoints() {
        Line line = LeastSquares.through(1, 2, 3, 8);

        assertEquals(3, line.slope());
        assertEquals(-1, line.intercept());
        assertEquals(14, line.at(5));
    }

    @Test
    void rejectsPointsThatDoNotDetermineALine() {
        assertThrows(IllegalArgumentException.class, () -> LeastSquares.fit(new double[] {2, 2}, new double[] {1, 3}));
        assertThrows(IllegalArgumentException.class, () -> LeastSquares.through(2, 1, 2, 3));
    }
}
