package dev.autobatch.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class MeasurementRuleTest {

    private static final double NONE = Double.NaN;

    /** The runner's defaults: 2 warm-up steps, 5 measured steps, 0.25 s, 2%, a 10 s cap. */
    private final MeasurementRule rule = new MeasurementRule(2, 5, 0.25, 0.02, 10);

    private static StepTimes constant(int n, double seconds) {
        StepTimes times = new StepTimes();
        for (int i = 0; i < n; i++) {
            times.add(seconds);
        }
        return times;
    }

    @Test
    void warmUpRunsItsMinimumStepsFirst() {
        assertTrue(rule.warmUpMore(0, NONE, NONE, 0));
        assertTrue(rule.warmUpMore(1, NONE, 0.01, 0.01));
    }

    @Test
    void warmUpEndsOnceTheLastTwoStepsAgreeWithinTwentyPercent() {
        assertFalse(rule.warmUpMore(2, 0.010, 0.011, 0.1));
        assertFalse(rule.warmUpMore(2, 0.012, 0.010, 0.1), "1.2 times is settled");
    }

    @Test
    void warmUpGoesOnWhileStepTimeStillFallsOrRises() {
        assertTrue(rule.warmUpMore(2, 0.050, 0.010, 0.1), "falling: the first steps paid for allocation");
        assertTrue(rule.warmUpMore(3, 0.010, 0.013, 0.1), "rising by 30%");
    }

    @Test
    void warmUpAddsAtMostEightStepsBeyondItsMinimum() {
        assertTrue(rule.warmUpMore(9, 0.050, 0.010, 0.1));
        assertFalse(rule.warmUpMore(10, 0.050, 0.010, 0.1));
    }

    @Test
    void warmUpStopsAtAQuarterOfTheCapEvenBelowItsMinimumButRunsOneStep() {
        assertFalse(rule.warmUpMore(1, NONE, 3.0, 3.0), "3 s is past a quarter of 10 s");
        assertFalse(rule.warmUpMore(2, 0.5, 0.1, 2.5), "no extra step past a quarter of the cap");
        assertTrue(rule.warmUpMore(0, NONE, NONE, 2.5), "the first warm-up step always runs");
    }

    @Test
    void noWarmUpWhenTheMinimumIsZeroAndNoExtensionFromOneStep() {
        MeasurementRule none = new MeasurementRule(0, 5, 0.25, 0.02, 10);
        assertFalse(none.warmUpMore(0, NONE, NONE, 0));
        MeasurementRule one = new MeasurementRule(1, 5, 0.25, 0.02, 10);
        assertFalse(one.warmUpMore(1, NONE, 0.5, 0.5), "one step has nothing to be compared with");
    }

    @Test
    void measuringRunsOneStepEvenPastTheCap() {
        assertTrue(rule.measureMore(new StepTimes(), 100));
        assertFalse(rule.measureMore(constant(1, 3.0), 10.0));
    }

    @Test
    void measuringGoesOnUntilBothMinimumsAreMet() {
        assertTrue(rule.measureMore(constant(4, 0.1), 1), "4 of 5 steps");
        assertTrue(rule.measureMore(constant(5, 0.01), 1), "0.05 of 0.25 s");
        assertFalse(rule.measureMore(constant(5, 0.05), 1), "5 steps, 0.25 s and no spread");
    }

    @Test
    void theCapWinsOverTheMinimums() {
        assertFalse(rule.measureMore(constant(2, 0.01), 10));
    }

    @Test
    void measuringGoesOnWhileTheMedianIsNotKnownWellEnough() {
        // Median 0.3, IQR 0.2: a relative standard error of 0.277, far above 0.02.
        StepTimes noisy = new StepTimes();
        for (double s : new double[] {0.1, 0.2, 0.3, 0.4, 0.5}) {
            noisy.add(s);
        }
        assertTrue(rule.measureMore(noisy, 0.6));
        MeasurementRule loose = new MeasurementRule(2, 5, 0.25, 0.3, 10);
        assertFalse(loose.measureMore(noisy, 0.6), "0.277 is within a target of 0.3");
    }

    @Test
    void precisionAloneKeepsATrialGoingOnlyUntilFourTimesTheMinimumMeasuredTime() {
        StepTimes noisy = new StepTimes();
        for (double s : new double[] {0.1, 0.2, 0.3, 0.4, 0.5}) {
            noisy.add(s);
        }
        assertTrue(rule.measureMore(noisy, 0.99));
        assertFalse(rule.measureMore(noisy, 1.0), "4 x 0.25 s: the noise is for the confirmation rounds");
        assertTrue(rule.measureMore(constant(4, 0.1), 5), "the minimum steps still run, up to the cap");
    }

    @Test
    void precisionIsJudgedAfterEveryStepUpToSixtyFourThenSixteenTimesADoubling() {
        for (int n = 1; n <= 64; n++) {
            assertTrue(MeasurementRule.precisionDue(n), "n = " + n);
        }
        int checks = 0;
        for (int n = 65; n <= 128; n++) {
            checks += MeasurementRule.precisionDue(n) ? 1 : 0;
        }
        assertEquals(16, checks);
        checks = 0;
        for (int n = 4097; n <= 8192; n++) {
            checks += MeasurementRule.precisionDue(n) ? 1 : 0;
        }
        assertEquals(16, checks);
        assertTrue(MeasurementRule.precisionDue(8192));
    }
}
