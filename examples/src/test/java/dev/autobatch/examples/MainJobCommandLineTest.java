package dev.autobatch.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.autobatch.autotune.search.Goal;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The main job's command line as picocli reads it: help, unknown options and bad values, exit codes. */
class MainJobCommandLineTest {

    private static final List<String> EVERY_OPTION = List.of(
            "--model",
            "--goal",
            "--budget",
            "--max-batch",
            "--device",
            "--retune",
            "--epochs",
            "--data",
            "--limit",
            "--seed",
            "--output",
            "--compare",
            "--time-budget",
            "--target-accuracy",
            "--serve-metrics",
            "-h, --help");

    private record Run(int status, String out, String err) {}

    private static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
                PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            status = MainJob.run(args, o, e);
        }
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void helpListsEveryOptionAndTheExitStatusesOnStandardOutputAndSucceeds() {
        for (String flag : List.of("--help", "-h")) {
            Run run = run(flag);

            assertEquals(MainJob.EXIT_OK, run.status(), run.err());
            assertEquals("", run.err());
            assertTrue(run.out().startsWith("Usage: bin/autobatch [options]\n"), run.out());
            for (String option : EVERY_OPTION) {
                assertTrue(run.out().contains("  " + option), () -> option + " missing from:\n" + run.out());
            }
            assertTrue(run.out().contains("Exit status:"), run.out());
            assertTrue(run.out().contains("2   bad command line"), run.out());
        }
    }

    @Test
    void helpNamesEveryGoalAndTheDefaultFirst() {
        String usage = MainJobOptions.usage();

        assertTrue(usage.contains("what the tuner optimises: balanced, throughput, goodput, max-fit"), usage);
        assertTrue(usage.contains("(default balanced)"), usage);
        for (Goal goal : Goal.values()) {
            assertTrue(usage.contains(OptionConverters.cliName(goal)), goal::name);
        }
    }

    @Test
    void everyGoalIsAcceptedByItsNameWithoutAChangeToTheCommandLine() throws UsageException {
        for (Goal goal : Goal.values()) {
            String name = OptionConverters.cliName(goal);
            assertEquals(goal, MainJobOptions.parse("--goal", name).goal(), name);
            assertEquals(goal, MainJobOptions.parse("--goal=" + goal.name()).goal(), name);
        }
        assertEquals(Goal.MAX_FIT, MainJobOptions.parse("--goal", "maxfit").goal());
        assertEquals(Goal.MAX_FIT, MainJobOptions.parse("--goal", "max_fit").goal());
    }

    @Test
    void anUnknownOptionIsNamedOnStandardErrorAndExitsWithStatus2() {
        Run run = run("--frobnicate", "--compare");

        assertEquals(MainJob.EXIT_USAGE, run.status());
        assertEquals("", run.out());
        List<String> lines = run.err().lines().toList();
        assertEquals("autobatch: unknown option '--frobnicate'; see --help for the options", lines.get(0));
        assertEquals("Usage: bin/autobatch [options]", lines.get(2));
    }

    @Test
    void aBadValueOfEachTypedOptionNamesTheOptionAndTheValueAndExitsWithStatus2() {
        Map<String, String> bad = Map.ofEntries(
                Map.entry("--model", "resnet"),
                Map.entry("--goal", "fastest"),
                Map.entry("--budget", "lots"),
                Map.entry("--max-batch", "0"),
                Map.entry("--device", "tpu"),
                Map.entry("--epochs", "-2"),
                Map.entry("--limit", "many"),
                Map.entry("--seed", "1.5"),
                Map.entry("--time-budget", "soon"),
                Map.entry("--target-accuracy", "1.5"),
                Map.entry("--serve-metrics", "70000"));
        for (Map.Entry<String, String> option : bad.entrySet()) {
            for (String[] args : List.of(
                    new String[] {option.getKey(), option.getValue()},
                    new String[] {option.getKey() + "=" + option.getValue()})) {
                Run run = run(args);

                String first = run.err().lines().findFirst().orElse("");
                assertEquals(MainJob.EXIT_USAGE, run.status(), first);
                assertEquals("", run.out(), option.getKey());
                assertTrue(first.startsWith("autobatch: " + option.getKey()), first);
                assertTrue(first.contains(option.getValue()), first);
                assertTrue(run.err().contains("Usage: bin/autobatch [options]"), run.err());
            }
        }
    }

    @Test
    void aMissingValueNamesTheOptionAndAFlagTakesNone() {
        Run missing = run("--output");
        assertEquals(MainJob.EXIT_USAGE, missing.status());
        assertTrue(missing.err().startsWith("autobatch: --output needs a value; see --help\n"), missing.err());

        Run followed = run("--budget", "--retune");
        assertEquals(MainJob.EXIT_USAGE, followed.status());
        assertTrue(followed.err().startsWith("autobatch: --budget needs a value; see --help\n"), followed.err());

        Run flag = run("--compare=true");
        assertEquals(MainJob.EXIT_USAGE, flag.status());
        assertTrue(flag.err().startsWith("autobatch: --compare takes no value, got '--compare=true'\n"), flag.err());
    }

    @Test
    void aRepeatedOptionCountsItsLastValueAndAnAtSignIsNoFileToExpand() throws UsageException {
        assertEquals(7, MainJobOptions.parse("--seed", "3", "--seed", "7").seed());
        assertTrue(MainJobOptions.parse("--compare", "--compare").compare());
        Run run = run("@args.txt");
        assertEquals(MainJob.EXIT_USAGE, run.status());
        assertTrue(run.err().startsWith("autobatch: unexpected argument '@args.txt'"), run.err());
    }

    @Test
    void aSizeBudgetGivesBytesAndAFractionBudgetTheFraction() throws UsageException {
        MainJobOptions size = MainJobOptions.parse("--budget", "0.5", "--budget", "2g");
        assertEquals(2L << 30, size.budget().bytes());
        MainJobOptions fraction = MainJobOptions.parse("--budget", "2g", "--budget", "0.25");
        assertFalse(fraction.budget().isBytes());
        assertEquals(0.25, fraction.budget().fraction());
    }
}
