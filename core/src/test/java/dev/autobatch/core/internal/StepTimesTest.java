package dev.autobatch.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class StepTimesTest {

    private static StepTimes of(double... seconds) {
        StepTimes times = new StepTimes();
        for (double s : seconds) {
            times.add(s);
        }
        return times;
    }

    @Test
    void medianOfAnOddCountIsTheMiddleTimeWhateverTheOrder() {
        StepTimes times = of(0.5, 0.1, 0.4, 0.2, 0.3);
        assertEquals(0.3, times.median(), 0);
        assertEquals(5, times.count());
        assertEquals(1.5, times.totalSeconds(), 1e-15);
    }

    @Test
    void medianOfAnEvenCountIsTheMeanOfTheTwoMiddleTimes() {
        assertEquals(2.5, of(4, 1, 3, 2).median(), 0);
    }

    @Test
    void quartilesInterpolateLinearlyBetweenOrderStatistics() {
        // Positions (n - 1) p for n = 4: 0.75 and 2.25, so 1 + 0.75 * (2 - 1) and 3 + 0.25 * (4 - 3).
        StepTimes times = of(4, 1, 3, 2);
        assertEquals(1.75, times.quantile(0.25), 0);
        assertEquals(3.25, times.quantile(0.75), 0);
        assertEquals(1.5, times.interquartileRange(), 0);
        assertEquals(1, times.quantile(0), 0);
        assertEquals(4, times.quantile(1), 0);
    }

    @Test
    void interquartileRangeOfOneToOneHundredIsFortyNineAndAHalf() {
        StepTimes times = new StepTimes();
        for (int i = 100; i >= 1; i--) {
            times.add(i);
        }
        // Positions 24.75 and 74.25 of the values 1..100: 25.75 and 75.25.
        assertEquals(49.5, times.interquartileRange(), 1e-12);
        assertEquals(50.5, times.median(), 0);
        assertEquals(100, times.count());
        assertEquals(5050, times.totalSeconds(), 0);
    }

    @Test
    void relativeStandardErrorOfTheMedianFollowsTheIqrFormula() {
        // Median 0.3, quartiles 0.2 and 0.4 (positions 1 and 3), IQR 0.2, n = 5.
        StepTimes times = of(0.1, 0.2, 0.3, 0.4, 0.5);
        double expected = 1.2533 * (0.2 / 1.349) / Math.sqrt(5) / 0.3;
        assertEquals(expected, times.relativeStandardErrorOfMedian(), 1e-12);
        assertEquals(0.27699, times.relativeStandardErrorOfMedian(), 1e-5);
    }

    @Test
    void identicalTimesAreKnownExactly() {
        StepTimes times = of(0.002, 0.002, 0.002);
        assertEquals(0, times.interquartileRange(), 0);
        assertEquals(0, times.relativeStandardErrorOfMedian(), 0);
    }

    @Test
    void oneTimeHasAMedianButNoSpread() {
        StepTimes times = of(0.7);
        assertEquals(0.7, times.median(), 0);
        assertTrue(Double.isNaN(times.interquartileRange()));
        assertTrue(Double.isNaN(times.relativeStandardErrorOfMedian()));
    }

    @Test
    void noTimesHaveNoStatistics() {
        StepTimes times = new StepTimes();
        assertEquals(0, times.count());
        assertEquals(0, times.totalSeconds(), 0);
        assertTrue(Double.isNaN(times.median()));
        assertTrue(Double.isNaN(times.interquartileRange()));
        assertTrue(Double.isNaN(times.relativeStandardErrorOfMedian()));
    }

    @Test
    void zeroMedianGivesNoRelativeError() {
        assertTrue(Double.isNaN(of(0, 0, 0, 1).relativeStandardErrorOfMedian()));
    }

    @Test
    void rejectsTimesThatCannotBeStepTimesAndNamesThem() {
        StepTimes times = new StepTimes();
        for (double bad : new double[] {-0.1, Double.NaN, Double.POSITIVE_INFINITY}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> times.add(bad));
            assertTrue(e.getMessage().contains("got " + bad), e.getMessage());
        }
        assertEquals(0, times.count(), "a rejected time is not kept");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> times.quantile(1.5));
        assertTrue(e.getMessage().contains("[0, 1], got 1.5"), e.getMessage());
    }
}
