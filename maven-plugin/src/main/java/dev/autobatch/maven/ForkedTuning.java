package dev.autobatch.maven;

import dev.autobatch.autotune.TuningTarget;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * The main class of the JVM that {@code autobatch:tune} forks: loads the target from its own class
 * path (the project's plus the plugin's), tunes it and writes the results, then exits.
 *
 * <p>Its one argument is a properties file with the settings ({@link TuneSettings#toMap()}) plus
 * {@value #OUTPUT_DIRECTORY} and {@value #CLASSPATH_SCOPE}. Progress and the result go to standard
 * output. On failure the first line on standard error that starts with {@value #FAILURE_MARKER}
 * holds the message for the build, and the exit code says which kind of failure it was: {@value
 * #EXIT_TUNING_FAILED} for a failed tuning, {@value #EXIT_BAD_CONFIGURATION} for a configuration
 * mistake. An exit by a signal (137, 134, 139) is a crash or the kernel's out-of-memory killer.
 *
 * <p>Not an API: the plugin starts it, people do not.
 */
public final class ForkedTuning {

    /** The exit code of a tuning that failed. */
    public static final int EXIT_TUNING_FAILED = 1;
    /** The exit code of a configuration mistake: no such target class, bad settings. */
    public static final int EXIT_BAD_CONFIGURATION = 2;
    /** The prefix of the standard error line that carries the failure's message. */
    public static final String FAILURE_MARKER = "[autobatch:failure] ";
    /** The settings file's key of the output directory. */
    public static final String OUTPUT_DIRECTORY = "outputDirectory";
    /** The settings file's key of the class path scope, for messages. */
    public static final String CLASSPATH_SCOPE = "classpathScope";
    /** The system property that asks for stack traces on failure ({@code mvn -X} sets it). */
    public static final String DEBUG_PROPERTY = "autobatch.fork.debug";

    private ForkedTuning() {}

    /**
     * Runs the tuning and exits the JVM with its code.
     *
     * @param args one argument: the settings file
     */
    public static void main(String[] args) {
        int code = run(args, System.out, System.err);
        System.out.flush();
        System.err.flush();
        // Exit explicitly: engine threads may not be daemons.
        System.exit(code);
    }

    /**
     * Runs the tuning without exiting.
     *
     * @param args one argument: the settings file
     * @param out receives progress and the result
     * @param err receives the failure line and, when debugging, the stack trace
     * @return the exit code: 0, {@value #EXIT_TUNING_FAILED} or {@value #EXIT_BAD_CONFIGURATION}
     */
    static int run(String[] args, PrintStream out, PrintStream err) {
        boolean debug = Boolean.getBoolean(DEBUG_PROPERTY);
        if (args.length != 1) {
            err.println(FAILURE_MARKER + "usage: java " + ForkedTuning.class.getName() + " <settings.properties>");
            return EXIT_BAD_CONFIGURATION;
        }
        TuneSettings settings;
        Path outputDirectory;
        TuningTarget target;
        try {
            Map<String, String> values = read(Path.of(args[0]));
            settings = TuneSettings.fromMap(values);
            ClasspathScope scope = ClasspathScope.parse(values.getOrDefault(CLASSPATH_SCOPE, "test"));
            String directory = values.get(OUTPUT_DIRECTORY);
            if (directory == null || directory.isBlank()) {
                throw new IllegalArgumentException(
                        "The settings file " + args[0] + " names no " + OUTPUT_DIRECTORY + ".");
            }
            outputDirectory = Path.of(directory);
            target = TargetLoader.instantiate(
                    TargetLoader.load(ForkedTuning.class.getClassLoader(), settings.target(), scope));
        } catch (IllegalArgumentException | IOException e) {
            report(err, Failures.messageOf(e), e, debug);
            return EXIT_BAD_CONFIGURATION;
        } catch (Exception | LinkageError e) {
            report(err, "Creating the tuning target failed: " + Failures.messageOf(e), e, debug);
            return EXIT_TUNING_FAILED;
        }
        try {
            TuningSession.run(target, settings, outputDirectory, out::println);
            return 0;
        } catch (Exception | Error e) {
            report(err, Failures.tuningFailed(settings.target(), e), e, debug);
            return EXIT_TUNING_FAILED;
        }
    }

    private static Map<String, String> read(Path file) throws IOException {
        Properties properties = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(in);
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (String key : properties.stringPropertyNames()) {
            values.put(key, properties.getProperty(key));
        }
        return values;
    }

    private static void report(PrintStream err, String message, Throwable failure, boolean debug) {
        err.println(FAILURE_MARKER + message);
        if (debug) {
            failure.printStackTrace(err);
        }
        err.flush();
    }
}
