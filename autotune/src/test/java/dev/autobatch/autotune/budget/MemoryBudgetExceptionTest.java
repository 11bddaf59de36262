package dev.autobatch.autotune.budget;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class MemoryBudgetExceptionTest {

    private static final long MIB = 1L << 20;
    private static final MemoryBudgetException.Words CLI =
            new MemoryBudgetException.Words("--budget", null, "--limit N");

    @Test
    void aProcessOverABudgetBelowItsRoomIsToldToRaiseTheBudgetInTheEntryPointsWords() {
        MemoryBudget budget = new MemoryBudget(480 * MIB, "80% of 600.0 MiB free to this process", 600 * MIB);

        MemoryBudgetException e = MemoryBudgetException.beforeAnyTrial("this process", 553 * MIB, budget);

        String finding = "Before any trial, this process already holds 553.0 MiB, above the memory budget of"
                + " 480.0 MiB (80% of 600.0 MiB free to this process): every trial would exceed it, so none was run. ";
        assertEquals(
                finding + "Give a larger budget with --budget (at most the 600.0 MiB free to this process),"
                        + " train on fewer samples with --limit N, or free memory: stop other processes that share it.",
                e.message(CLI));
        assertEquals(
                finding + "Give a larger budget with optMemoryBudgetBytes (or optMemoryFraction) (at most the"
                        + " 600.0 MiB free to this process), or free memory: stop other processes that share it.",
                e.getMessage());
    }

    @Test
    void aBudgetThatIsAllTheRoomSaysSoInsteadOfAskingForMore() {
        MemoryBudget budget = new MemoryBudget(300 * MIB, "given 2.0 GiB, capped at the 300.0 MiB free", 300 * MIB);

        MemoryBudgetException e = MemoryBudgetException.beforeAnyTrial("this process", 310 * MIB, budget);

        assertEquals(
                "Before any trial, this process already holds 310.0 MiB, above the memory budget of 300.0 MiB"
                        + " (given 2.0 GiB, capped at the 300.0 MiB free): every trial would exceed it, so none was run. The"
                        + " budget is already all the memory free to this process: stop other processes that share it, raise"
                        + " the container's memory limit, or train on fewer samples with --limit N.",
                e.message(CLI));
    }

    @Test
    void aStartOverTheBudgetNamesTheStartOptionOnlyWhereTheEntryPointHasOne() {
        MemoryBudgetException e = MemoryBudgetException.atTheStart(2, 600 * MIB, 480 * MIB);

        assertEquals(
                "Even the start batch size 2 needs 600.0 MiB of memory, above the memory budget of 480.0 MiB."
                        + " Lower optStartBatchSize (it is 2), give a larger budget with optMemoryBudgetBytes (or"
                        + " optMemoryFraction), or free memory: stop other processes that share it.",
                e.getMessage());
        assertEquals(
                "Even the start batch size 2 needs 600.0 MiB of memory, above the memory budget of 480.0 MiB."
                        + " Give a larger budget with autobatch.memoryBudget, or free memory: stop other processes that"
                        + " share it.",
                e.message(new MemoryBudgetException.Words("autobatch.memoryBudget", null, null)));
    }

    @Test
    void aSingleSampleOverTheBudgetCannotBeHelpedByALowerStart() {
        MemoryBudgetException e = MemoryBudgetException.atTheStart(1, 600 * MIB, 480 * MIB);

        assertEquals(
                "Even the start batch size 1 needs 600.0 MiB of memory, above the memory budget of 480.0 MiB."
                        + " The model does not train even one sample at a time within it. Give a larger budget with"
                        + " optMemoryBudgetBytes (or optMemoryFraction), or free memory: stop other processes that share it.",
                e.getMessage());
    }
}
