package dev.autobatch.maven;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Starts a JVM, streams its output line by line, and turns how it ended into a sentence for the
 * build. Whatever the child does, crashing or being killed by the kernel included, this JVM (Maven)
 * lives on.
 */
final class ForkedJvm {

    /** How many of the child's last standard error lines a failure quotes. */
    static final int QUOTED_ERROR_LINES = 5;

    private ForkedJvm() {}

    /**
     * How a forked JVM ended.
     *
     * @param exitCode the exit code; above 128 for an exit by signal (128 + the signal's number)
     * @param failureMessage the message of the child's {@link ForkedTuning#FAILURE_MARKER} line, or
     *     {@code null} if it printed none
     * @param lastErrorLines the child's last few standard error lines
     */
    record Outcome(int exitCode, String failureMessage, List<String> lastErrorLines) {

        /** Copies the lines. */
        Outcome {
            lastErrorLines = List.copyOf(lastErrorLines);
        }

        /**
         * Returns whether the child ended cleanly.
         *
         * @return {@code true} for exit code 0
         */
        boolean succeeded() {
            return exitCode == 0;
        }

        /**
         * Returns whether the child reported a configuration mistake rather than a failed tuning.
         *
         * @return {@code true} for {@link ForkedTuning#EXIT_BAD_CONFIGURATION} with a message
         */
        boolean badConfiguration() {
            return exitCode == ForkedTuning.EXIT_BAD_CONFIGURATION && failureMessage != null;
        }

        /**
         * Explains a failure for the build log: the child's own message if it printed one,
         * otherwise what the exit code means and what to do about it.
         *
         * @param crashDirectory where the JVM writes its crash report ({@code hs_err_pid*.log})
         * @param rerun how to run the same JVM by hand, for the message
         * @return the message
         */
        String explain(Path crashDirectory, String rerun) {
            if (failureMessage != null && exitCode < 128) {
                return failureMessage;
            }
            String lowerTheSize = "lower autobatch.memoryBudget (for example -Dautobatch.memoryBudget=0.5) or"
                    + " autobatch.maxBatchSize, or give the build more memory";
            switch (exitCode) {
                case 137:
                    return "The forked tuning JVM was killed (exit 137, SIGKILL), most likely by the"
                            + " kernel's out-of-memory killer: a trial needed more memory than the"
                            + " machine or container had. To fix it, "
                            + lowerTheSize
                            + ". Run 'dmesg' or 'journalctl -k' to see the kill.";
                case 134:
                    return "The forked tuning JVM aborted (exit 134, SIGABRT), usually a crash in"
                            + " native code such as libtorch. See the crash report hs_err_pid*.log in "
                            + crashDirectory
                            + "; if it ran out of memory, "
                            + lowerTheSize
                            + "."
                            + quoted();
                case 139:
                    return "The forked tuning JVM crashed with a segmentation fault (exit 139, SIGSEGV)"
                            + " in native code. See the crash report hs_err_pid*.log in "
                            + crashDirectory
                            + "; if it ran out of memory, "
                            + lowerTheSize
                            + "."
                            + quoted();
                default:
                    if (exitCode > 128) {
                        return "The forked tuning JVM was ended by signal "
                                + (exitCode - 128)
                                + " (exit "
                                + exitCode
                                + ") before it finished. If nothing else stopped it, "
                                + lowerTheSize
                                + "."
                                + quoted();
                    }
                    return "The forked tuning JVM exited with code "
                            + exitCode
                            + " without a result."
                            + quoted()
                            + " Check autobatch.jvmArgs, or run it by hand: "
                            + rerun;
            }
        }

        private String quoted() {
            if (lastErrorLines.isEmpty()) {
                return "";
            }
            return " Its last error output: "
                    + lastErrorLines.stream().map(String::strip).collect(Collectors.joining(" | "));
        }
    }

    /** The level of a line the child logged. */
    enum Level {
        /** Debugging detail ({@code TRACE} and {@code DEBUG}). */
        DEBUG,
        /** Progress and results; also every line without a level. */
        INFO,
        /** A warning. */
        WARN,
        /** An error. */
        ERROR
    }

    /**
     * One line of the child's standard output, split into the level SLF4J's simple logger wrote at
     * its start ({@code "WARN Failed to ..."}) and the rest, so the build log shows it at that level.
     *
     * @param level the level; {@link Level#INFO} for a line without one
     * @param text the line without its level
     */
    record LogLine(Level level, String text) {

        private static final Pattern LEVEL = Pattern.compile("(TRACE|DEBUG|INFO|WARN|ERROR) (.*)", Pattern.DOTALL);

        /**
         * Splits a line.
         *
         * @param line the line as the child printed it
         * @return its level and text
         */
        static LogLine parse(String line) {
            Matcher matcher = LEVEL.matcher(line);
            if (!matcher.matches()) {
                return new LogLine(Level.INFO, line);
            }
            String name = matcher.group(1);
            Level level = "TRACE".equals(name) ? Level.DEBUG : Level.valueOf(name);
            return new LogLine(level, matcher.group(2));
        }
    }

    /**
     * Runs a command to its end, passing each line of its standard output and standard error on as
     * it comes. If this JVM shuts down first, the child is destroyed with it.
     *
     * @param command the command, the executable first
     * @param environment variables added to this process's environment
     * @param workingDirectory the child's working directory
     * @param out receives each standard output line
     * @param err receives each standard error line but the failure line, which the outcome holds
     * @return how it ended
     * @throws IOException if the command cannot be started
     * @throws InterruptedException if this thread is interrupted while waiting; the child is
     *     destroyed
     */
    static Outcome run(
            List<String> command,
            Map<String, String> environment,
            File workingDirectory,
            Consumer<String> out,
            Consumer<String> err)
            throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(workingDirectory);
        builder.environment().putAll(environment);
        Process process = builder.start();
        Thread destroyOnExit = new Thread(process::destroyForcibly, "autobatch-fork-reaper");
        Runtime.getRuntime().addShutdownHook(destroyOnExit);
        process.getOutputStream().close();
        Deque<String> lastErrors = new ArrayDeque<>();
        String[] failure = new String[1];
        Thread outPump = pump(process.getInputStream(), out, "autobatch-fork-out");
        Thread errPump = pump(
                process.getErrorStream(),
                line -> {
                    if (line.startsWith(ForkedTuning.FAILURE_MARKER)) {
                        synchronized (failure) {
                            if (failure[0] == null) {
                                failure[0] = line.substring(ForkedTuning.FAILURE_MARKER.length())
                                        .strip();
                            }
                        }
                        return;
                    }
                    if (!line.isBlank()) {
                        synchronized (lastErrors) {
                            lastErrors.addLast(line);
                            if (lastErrors.size() > QUOTED_ERROR_LINES) {
                                lastErrors.removeFirst();
                            }
                        }
                    }
                    err.accept(line);
                },
                "autobatch-fork-err");
        try {
            int exitCode = process.waitFor();
            outPump.join();
            errPump.join();
            synchronized (failure) {
                synchronized (lastErrors) {
                    return new Outcome(exitCode, failure[0], new ArrayList<>(lastErrors));
                }
            }
        } finally {
            if (process.isAlive()) {
                process.destroyForcibly();
            }
            try {
                Runtime.getRuntime().removeShutdownHook(destroyOnExit);
            } catch (IllegalStateException e) {
                // This JVM is already shutting down; the hook runs and ends the child.
            }
        }
    }

    /**
     * Returns the {@code java} launcher of a Java installation.
     *
     * @param javaHome the installation, such as {@code System.getProperty("java.home")}
     * @return its {@code bin/java}, or {@code bin/java.exe} where that exists instead
     */
    static Path javaLauncher(Path javaHome) {
        Path java = javaHome.resolve("bin").resolve("java");
        Path exe = javaHome.resolve("bin").resolve("java.exe");
        return !Files.isRegularFile(java) && Files.isRegularFile(exe) ? exe : java;
    }

    /**
     * Quotes arguments for a {@code java @file} argument file: each on its own line, in double
     * quotes, with backslashes and quotes escaped, so paths with spaces or backslashes survive.
     *
     * @param arguments the arguments
     * @return the file's text
     */
    static String argumentFile(List<String> arguments) {
        StringBuilder text = new StringBuilder();
        for (String argument : arguments) {
            text.append('"')
                    .append(argument.replace("\\", "\\\\").replace("\"", "\\\""))
                    .append("\"\n");
        }
        return text.toString();
    }

    /**
     * Splits the {@code autobatch.jvmArgs} text into arguments at whitespace, keeping what is
     * inside double or single quotes together (the quotes themselves are dropped).
     *
     * @param text the text, or {@code null}
     * @return the arguments, possibly none
     * @throws IllegalArgumentException if a quote is not closed
     */
    static List<String> splitArguments(String text) {
        List<String> arguments = new ArrayList<>();
        if (text == null) {
            return arguments;
        }
        StringBuilder current = new StringBuilder();
        boolean inArgument = false;
        char quote = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else {
                    current.append(c);
                }
            } else if (c == '"' || c == '\'') {
                quote = c;
                inArgument = true;
            } else if (Character.isWhitespace(c)) {
                if (inArgument) {
                    arguments.add(current.toString());
                    current.setLength(0);
                    inArgument = false;
                }
            } else {
                current.append(c);
                inArgument = true;
            }
        }
        if (quote != 0) {
            throw new IllegalArgumentException(
                    "autobatch.jvmArgs has an unclosed " + quote + " quote: " + text + ". Close it or drop it.");
        }
        if (inArgument) {
            arguments.add(current.toString());
        }
        return arguments;
    }

    private static Thread pump(InputStream stream, Consumer<String> lines, String name) {
        Thread thread = new Thread(
                () -> {
                    try (BufferedReader reader =
                            new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                        String line;
                        while ((line = reader.readLine()) != null) {
                            lines.accept(line);
                        }
                    } catch (IOException e) {
                        // The stream closes under us when the child is destroyed; the
                        // exit code tells what happened.
                    }
                },
                name);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }
}
