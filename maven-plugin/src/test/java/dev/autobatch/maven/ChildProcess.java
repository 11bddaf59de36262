package dev.autobatch.maven;

/** The main class of the JVMs that {@link ForkedJvmTest} starts; its argument says how to end. */
public final class ChildProcess {

    private ChildProcess() {}

    /**
     * Ends as told.
     *
     * @param args {@code fail}, {@code kill} or {@code exit3}
     * @throws Exception if waiting for {@code kill} fails
     */
    public static void main(String[] args) throws Exception {
        System.out.println("first line");
        System.out.println("second line, ünïcode");
        switch (args[0]) {
            case "fail":
                System.err.println("a warning before the failure");
                System.err.println(ForkedTuning.FAILURE_MARKER + "the first failure");
                System.err.println(ForkedTuning.FAILURE_MARKER + "a second failure");
                System.exit(ForkedTuning.EXIT_TUNING_FAILED);
                break;
            case "kill":
                new ProcessBuilder(
                                "kill",
                                "-KILL",
                                Long.toString(ProcessHandle.current().pid()))
                        .start()
                        .waitFor();
                Thread.sleep(60_000);
                break;
            default:
                System.err.println("Error: Could not create the Java Virtual Machine.");
                System.exit(3);
        }
    }
}
