package dev.autobatch.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.autobatch.autotune.budget.MemoryBudget;
import dev.autobatch.autotune.budget.MemoryBudgetException;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.junit.jupiter.api.Test;

class FailuresTest {

    @Test
    void joinsTheLinesOfAMessageIntoSentences() {
        assertEquals(
                "The trial at batch size 2 failed: boom. No trial succeeded.",
                Failures.oneLine("The trial at batch size 2 failed: boom\nNo trial succeeded.\n"));
        assertEquals("a: b", Failures.oneLine("a:\n  b"));
    }

    @Test
    void namesTheExceptionOfABareJdkMessageButNotOfASentence() {
        assertEquals("IOException: disk full", Failures.messageOf(new IOException("disk full")));
        assertEquals(
                "batch size must be at least 1, got 0",
                Failures.messageOf(new IllegalArgumentException("batch size must be at least 1, got 0")));
        assertEquals("java.lang.NullPointerException", Failures.messageOf(new NullPointerException()));
    }

    @Test
    void addsTheFirstCauseThatSaysMore() {
        assertEquals(
                "report not written (caused by IOException: disk full)",
                Failures.messageOf(new UncheckedIOException("report not written", new IOException("disk full"))));
    }

    @Test
    void suggestsAHeapForAJavaHeapExhaustion() {
        String message = Failures.tuningFailed("com.example.Mlp", new OutOfMemoryError("Java heap space"));
        assertTrue(message.startsWith("Tuning com.example.Mlp failed: OutOfMemoryError: Java heap space"), message);
        assertTrue(message.contains("-Dautobatch.jvmArgs=-Xmx4g"), message);
    }

    @Test
    void aBudgetFailureNamesTheGoalsParameterNotTheApisOption() {
        MemoryBudget budget = new MemoryBudget(480L << 20, "80% of 600.0 MiB free to this process", 600L << 20);

        String message = Failures.tuningFailed(
                "com.example.Mlp", MemoryBudgetException.beforeAnyTrial("this process", 553L << 20, budget));

        assertEquals(
                "Tuning com.example.Mlp failed: Before any trial, this process already holds 553.0 MiB, above"
                        + " the memory budget of 480.0 MiB (80% of 600.0 MiB free to this process): every trial would exceed"
                        + " it, so none was run. Give a larger budget with <memoryBudget> (or -Dautobatch.memoryBudget) (at"
                        + " most the 600.0 MiB free to this process), or free memory: stop other processes that share it.",
                message);
    }
}
