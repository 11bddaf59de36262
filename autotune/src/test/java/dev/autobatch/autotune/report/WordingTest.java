package dev.autobatch.autotune.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.autobatch.autotune.search.Verdict;
import dev.autobatch.autotune.search.Verdict.Kind;
import dev.autobatch.autotune.search.Verdict.Phase;
import dev.autobatch.core.Trial;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class WordingTest {

    private static final Trial MEASURED = Trial.measured(64, 6400, 1L << 30);
    private static final Trial FAILED = Trial.failed(64, "The loss was NaN (step 3).");

    @Test
    void wordsEachVerdictKindAndPhase() {
        assertEquals("ok", Wording.verdict(MEASURED, new Verdict(Kind.OK, Phase.DOUBLING, 0)));
        assertEquals(
                "throughput saturated",
                Wording.verdict(MEASURED, new Verdict(Kind.THROUGHPUT_SATURATED, Phase.DOUBLING, 0)));
        assertEquals(
                "over the memory budget (refinement)",
                Wording.verdict(MEASURED, new Verdict(Kind.OVER_BUDGET, Phase.REFINEMENT, 0)));
        assertEquals(
                "out of memory (memory probe)",
                Wording.verdict(Trial.outOfMemory(64), new Verdict(Kind.OUT_OF_MEMORY, Phase.MEMORY_PROBE, 0)));
        assertEquals(
                "failed: The loss was NaN (step 3). (confirmation round 2)",
                Wording.verdict(FAILED, new Verdict(Kind.FAILED, Phase.CONFIRMATION, 2)));
    }

    @Test
    void readsBackEveryVerdictItWords() {
        List<Verdict> all = new ArrayList<>();
        for (Kind kind : Kind.values()) {
            for (Phase phase : Phase.values()) {
                all.add(new Verdict(kind, phase, phase == Phase.CONFIRMATION ? 3 : 0));
            }
        }
        for (Verdict verdict : all) {
            Trial trial = verdict.kind() == Kind.FAILED ? FAILED : MEASURED;
            assertEquals(verdict, Wording.parseVerdict(Wording.verdict(trial, verdict)), verdict::toString);
        }
    }

    @Test
    void refusesWordsThatAreNoVerdict() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> Wording.parseVerdict("fine (refinement)"));
        assertEquals(true, e.getMessage().contains("\"fine (refinement)\""), e.getMessage());
    }

    @Test
    void wordsTrialOutcomesForPeopleAndForFiles() {
        assertEquals("ok", Wording.trialOutcome(MEASURED));
        assertEquals("out of memory", Wording.trialOutcome(Trial.outOfMemory(8)));
        assertEquals("failed: The loss was NaN (step 3).", Wording.trialOutcome(FAILED));
        for (Trial trial : List.of(MEASURED, Trial.outOfMemory(8), FAILED)) {
            assertEquals(trial.outcome(), Wording.parseOutcome(Wording.outcome(trial)));
        }
    }
}
