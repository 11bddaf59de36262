package dev.autobatch.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ForkedJvmTest {

    @TempDir
    Path dir;

    private final List<String> out = Collections.synchronizedList(new ArrayList<>());
    private final List<String> err = Collections.synchronizedList(new ArrayList<>());

    private ForkedJvm.Outcome runChild(String mode) throws Exception {
        Path java = ForkedJvm.javaLauncher(Path.of(System.getProperty("java.home")));
        String classes = locationOf(ChildProcess.class);
        String mainClasses = locationOf(ForkedTuning.class);
        Path arguments = dir.resolve("child args");
        Files.writeString(
                arguments,
                ForkedJvm.argumentFile(List.of(
                        "-Dsun.stdout.encoding=UTF-8",
                        "-Dstdout.encoding=UTF-8",
                        "-cp",
                        classes + File.pathSeparator + mainClasses,
                        ChildProcess.class.getName(),
                        mode)),
                StandardCharsets.UTF_8);
        return ForkedJvm.run(List.of(java.toString(), "@" + arguments), Map.of(), dir.toFile(), out::add, err::add);
    }

    private static String locationOf(Class<?> type) throws Exception {
        return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI())
                .toString();
    }

    @Test
    void passesEveryOutputLineOnAndTakesTheFirstFailureLine() throws Exception {
        ForkedJvm.Outcome outcome = runChild("fail");
        assertEquals(ForkedTuning.EXIT_TUNING_FAILED, outcome.exitCode());
        assertEquals("the first failure", outcome.failureMessage());
        assertEquals("the first failure", outcome.explain(dir, "java @args"));
        assertFalse(outcome.badConfiguration());
        assertEquals(List.of("first line", "second line, ünïcode"), out);
        assertEquals(List.of("a warning before the failure"), err);
    }

    @Test
    void explainsAKillBySignalAsTheOutOfMemoryKiller() throws Exception {
        ForkedJvm.Outcome outcome = runChild("kill");
        assertEquals(137, outcome.exitCode());
        assertNull(outcome.failureMessage());
        String message = outcome.explain(dir, "java @args");
        assertTrue(
                message.startsWith("The forked tuning JVM was killed (exit 137, SIGKILL), most likely by the kernel's"
                        + " out-of-memory killer"),
                message);
        assertTrue(
                message.contains("lower autobatch.memoryBudget (for example -Dautobatch.memoryBudget=0.5)"), message);
    }

    @Test
    void quotesTheLastErrorLinesOfAnUnexplainedExit() throws Exception {
        ForkedJvm.Outcome outcome = runChild("exit3");
        assertEquals(3, outcome.exitCode());
        String message = outcome.explain(dir, "java @args");
        assertEquals(
                "The forked tuning JVM exited with code 3 without a result. Its last error output: Error:"
                        + " Could not create the Java Virtual Machine. Check autobatch.jvmArgs, or run it by"
                        + " hand: java @args",
                message);
    }

    @Test
    void explainsNativeCrashesWithTheCrashReportsPlace() {
        String abort = new ForkedJvm.Outcome(134, null, List.of()).explain(dir, "java @args");
        assertTrue(abort.startsWith("The forked tuning JVM aborted (exit 134, SIGABRT)"), abort);
        assertTrue(abort.contains("hs_err_pid*.log in " + dir), abort);
        String segfault = new ForkedJvm.Outcome(139, null, List.of("# A fatal error")).explain(dir, "java @args");
        assertTrue(segfault.contains("segmentation fault (exit 139, SIGSEGV)"), segfault);
        assertTrue(segfault.endsWith("Its last error output: # A fatal error"), segfault);
        String other = new ForkedJvm.Outcome(143, null, List.of()).explain(dir, "java @args");
        assertTrue(other.startsWith("The forked tuning JVM was ended by signal 15 (exit 143)"), other);
    }

    @Test
    void aFailureLineDoesNotHideAKill() {
        ForkedJvm.Outcome outcome = new ForkedJvm.Outcome(137, "half-written message", List.of());
        assertTrue(outcome.explain(dir, "java @args").contains("exit 137"));
    }

    @Test
    void readsTheLevelThatStartsALoggedLine() {
        assertEquals(
                new ForkedJvm.LogLine(ForkedJvm.Level.WARN, "Failed to detect GPU count"),
                ForkedJvm.LogLine.parse("WARN Failed to detect GPU count"));
        assertEquals(
                ForkedJvm.Level.INFO,
                ForkedJvm.LogLine.parse("INFO Memory budget: 80%").level());
        assertEquals(ForkedJvm.Level.ERROR, ForkedJvm.LogLine.parse("ERROR x").level());
        assertEquals(ForkedJvm.Level.DEBUG, ForkedJvm.LogLine.parse("TRACE x").level());
        assertEquals(
                new ForkedJvm.LogLine(ForkedJvm.Level.INFO, "            2           17     120.49"),
                ForkedJvm.LogLine.parse("            2           17     120.49"));
        assertEquals(
                ForkedJvm.Level.INFO,
                ForkedJvm.LogLine.parse("WARNING: not SLF4J's").level());
    }

    @Test
    void splitsJvmArgumentsAtSpacesKeepingQuotedOnesWhole() {
        assertEquals(List.of(), ForkedJvm.splitArguments(null));
        assertEquals(List.of(), ForkedJvm.splitArguments("   "));
        assertEquals(List.of("-Xmx2g", "-Da=b"), ForkedJvm.splitArguments(" -Xmx2g   -Da=b "));
        assertEquals(
                List.of("-Dpath=/a b/c", "-Dx=it's", ""),
                ForkedJvm.splitArguments("-Dpath=\"/a b/c\" \"-Dx=it's\" ''"));
    }

    @Test
    void rejectsAnUnclosedQuote() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> ForkedJvm.splitArguments("-Da=\"b"));
        assertTrue(e.getMessage().startsWith("autobatch.jvmArgs has an unclosed \" quote"), e.getMessage());
    }

    @Test
    void argumentFileEscapesBackslashesAndQuotes() {
        assertEquals(
                "\"-cp\"\n\"C:\\\\a b\\\\c\"\n\"say \\\"hi\\\"\"\n",
                ForkedJvm.argumentFile(List.of("-cp", "C:\\a b\\c", "say \"hi\"")));
    }
}
