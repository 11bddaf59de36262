package dev.autobatch.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.autobatch.core.TrialProgress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The loop with hand-written steps that report chosen times, so step counts are exact. */
class StepLoopTest {

    /** A step that reports the given times in turn (the last one from then on) and logs its calls. */
    private static final class ScriptedStep implements StepLoop.Step {
        final List<Boolean> normRequests = new ArrayList<>();
        private final double[] seconds;
        private final long sleepMillis;
        private final int badAt;

        ScriptedStep(long sleepMillis, int badAt, double... seconds) {
            this.seconds = seconds;
            this.sleepMillis = sleepMillis;
            this.badAt = badAt;
        }

        @Override
        public StepLoop.StepResult run(boolean withGradientNorm) {
            normRequests.add(withGradientNorm);
            int i = normRequests.size() - 1;
            if (sleepMillis > 0) {
                try {
                    Thread.sleep(sleepMillis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            float loss = i + 1 == badAt ? Float.POSITIVE_INFINITY : 1f;
            double norm = withGradientNorm ? i : Double.NaN;
            return new StepLoop.StepResult(seconds[Math.min(i, seconds.length - 1)], loss, norm);
        }

        int calls() {
            return normRequests.size();
        }
    }

    private static final MeasurementRule DEFAULTS = new MeasurementRule(2, 5, 0.25, 0.02, 10);

    @Test
    void steadyStepsWarmUpTwiceAndMeasureUntilTheMinimumTime() {
        // 1/256 s is exact in binary: 64 steps make 0.25 s.
        ScriptedStep step = new ScriptedStep(0, 0, 1.0 / 256);
        StepLoop.Outcome outcome = new StepLoop(DEFAULTS, TrialProgress.NONE, 60, 0).run(8, step);
        assertEquals(64, outcome.times().count());
        assertEquals(2 + 64, step.calls());
        assertEquals(0, outcome.badStep());
        assertEquals(0, outcome.gradientNorms().length);
    }

    @Test
    void warmUpGoesOnWhileStepTimeFalls() {
        ScriptedStep step = new ScriptedStep(0, 0, 0.08, 0.04, 0.02, 0.01, 1.0 / 64);
        StepLoop.Outcome outcome = new StepLoop(DEFAULTS, TrialProgress.NONE, 60, 0).run(8, step);
        // Each of 0.04, 0.02 and 0.01 is half the step before, and 1/64 is 1.5625 times 0.01: warm-up
        // goes on until two steps of 1/64 s agree, six steps in all; then 16 steps make 0.25 s.
        assertEquals(16, outcome.times().count());
        assertEquals(6 + 16, step.calls());
    }

    @Test
    void warmUpThatNeverSettlesStopsEightStepsPastItsMinimum() {
        double[] alternating = new double[40];
        for (int i = 0; i < alternating.length; i++) {
            alternating[i] = i % 2 == 0 ? 0.01 : 0.02;
        }
        ScriptedStep step = new ScriptedStep(0, 0, alternating);
        StepLoop.Outcome outcome = new StepLoop(DEFAULTS, TrialProgress.NONE, 60, 0).run(8, step);
        assertEquals(10 + outcome.times().count(), step.calls());
    }

    @Test
    void gradientNormsAreReadOnTheFirstMeasuredStepsOnly() {
        ScriptedStep step = new ScriptedStep(0, 0, 1.0 / 256);
        StepLoop.Outcome outcome = new StepLoop(DEFAULTS, TrialProgress.NONE, 60, 16).run(8, step);
        List<Boolean> asked = step.normRequests;
        assertEquals(List.of(false, false), asked.subList(0, 2), "not during warm-up");
        assertTrue(asked.subList(2, 18).stream().allMatch(b -> b), "the first 16 measured steps");
        assertTrue(asked.subList(18, asked.size()).stream().noneMatch(b -> b), "no later step");
        assertEquals(16, outcome.gradientNorms().length);
        assertEquals(2, outcome.gradientNorms()[0], 0, "the first measured step's norm");
        assertEquals(17, outcome.gradientNorms()[15], 0);
    }

    @Test
    void fewerMeasuredStepsThanTheNormLimitGiveOneNormEach() {
        MeasurementRule capped = new MeasurementRule(0, 5, 0.25, 0.02, 1e-9);
        StepLoop.Outcome outcome =
                new StepLoop(capped, TrialProgress.NONE, 60, 16).run(8, new ScriptedStep(0, 0, 0.01));
        assertEquals(1, outcome.times().count());
        assertEquals(1, outcome.gradientNorms().length);
    }

    @Test
    void capWinsOverEveryMinimumButOneWarmUpAndOneMeasuredStep() {
        MeasurementRule tiny = new MeasurementRule(2, 5, 0.25, 0.02, 1e-9);
        ScriptedStep step = new ScriptedStep(0, 0, 0.01);
        StepLoop.Outcome outcome = new StepLoop(tiny, TrialProgress.NONE, 60, 0).run(8, step);
        assertEquals(1, outcome.times().count());
        assertEquals(2, step.calls(), "one warm-up step and one measured");
    }

    @Test
    void capBoundsTheWallTimeOfSlowSteps() {
        MeasurementRule capped = new MeasurementRule(2, 1000, 100, 0.02, 0.2);
        ScriptedStep step = new ScriptedStep(20, 0, 0.02);
        long start = System.nanoTime();
        StepLoop.Outcome outcome = new StepLoop(capped, TrialProgress.NONE, 60, 0).run(8, step);
        double wall = (System.nanoTime() - start) / 1e9;
        assertTrue(wall < 3, () -> "took " + wall + " s under a 0.2 s cap");
        assertTrue(
                outcome.times().count() >= 1 && outcome.times().count() < 1000,
                () -> "" + outcome.times().count());
    }

    @Test
    void stopsAtTheFirstLossThatIsNotFiniteAndSaysWhichStep() {
        ScriptedStep step = new ScriptedStep(0, 4, 0.01);
        StepLoop.Outcome outcome = new StepLoop(DEFAULTS, TrialProgress.NONE, 60, 0).run(8, step);
        assertEquals(4, outcome.badStep());
        assertEquals(Float.POSITIVE_INFINITY, outcome.badLoss());
        assertEquals(4, step.calls());
    }

    @Test
    void longLoopsReportProgressNoMoreOftenThanTheInterval() {
        List<double[]> reports = new ArrayList<>();
        List<String> phases = new ArrayList<>();
        TrialProgress listener = (batchSize, phase, steps, elapsed) -> {
            assertEquals(8, batchSize);
            reports.add(new double[] {steps, elapsed});
            phases.add(phase);
        };
        // 10 ms steps that say so: 30 of them fill 0.3 s of measured time.
        MeasurementRule rule = new MeasurementRule(2, 5, 0.3, 0.02, 10);
        new StepLoop(rule, listener, 0.1, 0).run(8, new ScriptedStep(10, 0, 0.01));
        assertTrue(reports.size() >= 2, () -> reports.size() + " reports");
        assertTrue(reports.get(0)[1] >= 0.1, "none before the interval");
        for (int i = 1; i < reports.size(); i++) {
            assertTrue(reports.get(i)[1] - reports.get(i - 1)[1] >= 0.1, "at most one report an interval");
        }
        assertTrue(phases.stream().allMatch(p -> p.equals(TrialProgress.WARM_UP) || p.equals(TrialProgress.MEASURING)));
        assertEquals(TrialProgress.MEASURING, phases.get(phases.size() - 1));
    }

    @Test
    void shortLoopsReportNothing() {
        List<String> phases = new ArrayList<>();
        new StepLoop(DEFAULTS, (b, phase, s, e) -> phases.add(phase), 60, 0).run(8, new ScriptedStep(0, 0, 0.01));
        assertEquals(List.of(), phases);
    }
}
