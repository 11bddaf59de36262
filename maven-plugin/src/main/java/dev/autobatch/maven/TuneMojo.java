package dev.autobatch.maven;

import dev.autobatch.autotune.TuningTarget;
import dev.autobatch.autotune.budget.MemoryBudget;
import dev.autobatch.autotune.search.SearchSettings;
import dev.autobatch.core.TrialOptions;
import java.io.File;
import java.io.IOException;
import java.io.Writer;
import java.net.MalformedURLException;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Properties;
import org.apache.maven.artifact.Artifact;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.plugins.annotations.ResolutionScope;
import org.apache.maven.project.MavenProject;

/**
 * Tunes the training batch size of the project's DJL model on this machine and hands it to the
 * rest of the build.
 *
 * <p>The model comes from a class of the project that implements {@link TuningTarget}, named by
 * {@code target}; it may live in the test sources. By default the tuning runs in a forked JVM on
 * the project's class path plus the plugin's (autotune, DJL, libtorch), so that a native crash or
 * the kernel's out-of-memory killer fails the goal and not Maven. The result:
 *
 * <ul>
 *   <li>the trials and the chosen size in the build log;
 *   <li>{@code report.json}, {@code report.md} and the chart in {@code outputDirectory};
 *   <li>{@code outputDirectory/batch-size.properties} with {@code autobatch.batchSize=N}, the goal
 *       and the stop reason;
 *   <li>the project property {@code autobatch.batchSize}, for plugins that run later in the same
 *       build (resource filtering, for instance).
 * </ul>
 *
 * <p>DJL runs offline: nothing is downloaded while tuning.
 */
@Mojo(
        name = "tune",
        defaultPhase = LifecyclePhase.PROCESS_TEST_CLASSES,
        requiresDependencyResolution = ResolutionScope.TEST,
        threadSafe = true)
public class TuneMojo extends AbstractMojo {

    /** In-process tunings take turns: two measuring at once would each distort the other. */
    private static final Object IN_PROCESS_LOCK = new Object();

    /**
     * The fully qualified name of the class that builds the model and its training data: a class
     * of the project with a public no-argument constructor that implements {@code
     * dev.autobatch.autotune.TuningTarget}. Required.
     */
    @Parameter(property = "autobatch.target")
    String target;

    /**
     * What to optimise, a {@code Goal} in any case: {@code BALANCED} (the default, as for {@code
     * AutoBatch.tune}), the throughput choice among the sizes whose statistical efficiency is at
     * least a quarter, which trains fastest to a good model; {@code THROUGHPUT}, the smallest size
     * within {@code saturationThreshold} of the best throughput that fits the memory budget; {@code
     * GOODPUT}, the most throughput times statistical efficiency (Pollux); or {@code MAX_FIT}, the
     * largest size that fits the memory budget.
     */
    @Parameter(property = "autobatch.goal", defaultValue = "BALANCED")
    String goal;

    /**
     * The memory a trial may use on the training device: a size ({@code 8g}, {@code 512m}, {@code
     * 1073741824}) or a fraction in (0, 1] of the free memory ({@code 0.5}, {@code 50%}); default
     * 80%. On the CPU the free memory is the build JVM's room (in a container, its limit less what
     * the container uses, plus what the JVM holds); a size above it gives way to the default.
     */
    @Parameter(property = "autobatch.memoryBudget", defaultValue = "" + MemoryBudget.DEFAULT_FRACTION)
    String memoryBudget;

    /**
     * The relative throughput gain below which a larger batch is not worth it, in (0, 1): with the
     * default 0.05, a size within 5% of the best throughput is good enough.
     */
    @Parameter(
            property = "autobatch.saturationThreshold",
            defaultValue = "" + SearchSettings.DEFAULT_SATURATION_THRESHOLD)
    double saturationThreshold;

    /** The largest batch size to try. Unset by default: the training set's size caps the search. */
    @Parameter(property = "autobatch.maxBatchSize")
    Integer maxBatchSize;

    /** Unmeasured training steps each trial runs before it measures; zero or more. */
    @Parameter(property = "autobatch.warmupSteps", defaultValue = "" + TrialOptions.DEFAULT_WARMUP_STEPS)
    int warmupSteps;

    /** Measured training steps a trial; at least 1. Throughput comes from their median time. */
    @Parameter(property = "autobatch.measuredSteps", defaultValue = "" + TrialOptions.DEFAULT_MEASURED_STEPS)
    int measuredSteps;

    /**
     * Any other option of {@code AutoBatch.tune} by the name {@code TuneOptions.names()} gives it
     * ({@code startBatchSize}, {@code maxTrialSeconds}, {@code minMeasuredSeconds}, {@code
     * timeBudget}, {@code targetBatchSize}, ...), such as {@code
     * <options><timeBudget>120</timeBudget></options>}. The parameters above win.
     */
    @Parameter
    Map<String, String> options;

    /**
     * Where the report files and {@code batch-size.properties} are written (and, when forking, the
     * forked JVM's {@code fork.args}, {@code fork.properties} and any crash report).
     */
    @Parameter(property = "autobatch.outputDirectory", defaultValue = "${project.build.directory}/autobatch")
    File outputDirectory;

    /**
     * Extra arguments of the forked JVM, separated by spaces, such as {@code -Xmx2g
     * -Dai.djl.pytorch.num_threads=4}. Quote an argument that contains spaces. Ignored when {@code
     * fork} is false.
     */
    @Parameter(property = "autobatch.jvmArgs")
    String jvmArgs;

    /**
     * Whether to tune in a forked JVM (the default). A native crash or an out-of-memory kill then
     * fails the goal instead of Maven. Set it to false to tune inside Maven's JVM: faster to start,
     * but a crash ends the build, the engine stays loaded in Maven, and in-process tunings of a
     * parallel build take turns.
     */
    @Parameter(property = "autobatch.fork", defaultValue = "true")
    boolean fork;

    /**
     * The project class path the target is loaded from: {@code test} (the default; test classes,
     * classes and every dependency), {@code runtime} or {@code compile}.
     */
    @Parameter(property = "autobatch.classpathScope", defaultValue = "test")
    String classpathScope;

    /** Skips the tuning; {@code autobatch.batchSize} is then not set. */
    @Parameter(property = "autobatch.skip", defaultValue = "false")
    boolean skip;

    /** The project being built. */
    @Parameter(defaultValue = "${project}", readonly = true, required = true)
    MavenProject project;

    /** The plugin's own resolved runtime dependencies: autotune, core, DJL, libtorch. */
    @Parameter(defaultValue = "${plugin.artifacts}", readonly = true, required = true)
    List<Artifact> pluginArtifacts;

    /** Creates the goal; Maven sets the parameters. */
    public TuneMojo() {}

    /**
     * Runs the tuning and sets {@code autobatch.batchSize}.
     *
     * @throws MojoExecutionException for a configuration mistake: no target, a target that cannot
     *     be found or used, a bad parameter
     * @throws MojoFailureException if the tuning failed, or its JVM crashed or was killed
     */
    @Override
    public void execute() throws MojoExecutionException, MojoFailureException {
        if (skip) {
            getLog().info("Skipping AutoBatch tuning: autobatch.skip is true.");
            return;
        }
        TuneSettings settings;
        ClasspathScope scope;
        List<String> extraJvmArgs;
        try {
            settings = new TuneSettings(target, tuneOptions());
            scope = ClasspathScope.parse(classpathScope);
            extraJvmArgs = ForkedJvm.splitArguments(jvmArgs);
        } catch (IllegalArgumentException e) {
            throw new MojoExecutionException(e.getMessage(), e);
        }
        Path directory = outputDirectory.toPath();
        try {
            Files.deleteIfExists(directory.resolve(TuningSession.PROPERTIES_FILE));
        } catch (IOException e) {
            throw new MojoExecutionException(
                    "Cannot replace " + directory.resolve(TuningSession.PROPERTIES_FILE) + ": " + e.getMessage(), e);
        }
        List<File> projectClasspath = ForkClasspath.project(
                scope,
                new File(project.getBuild().getOutputDirectory()),
                new File(project.getBuild().getTestOutputDirectory()),
                project.getArtifacts());
        int batchSize;
        try (URLClassLoader loader =
                new URLClassLoader(urls(projectClasspath), getClass().getClassLoader())) {
            Class<? extends TuningTarget> type = loadTarget(loader, settings, scope);
            batchSize = fork ? tuneForked(settings, scope, extraJvmArgs) : tuneInProcess(type, settings, loader);
        } catch (IOException e) {
            throw new MojoExecutionException(
                    "Cannot close the class loader of the tuning target: " + e.getMessage(), e);
        }
        project.getProperties().setProperty(TuningSession.BATCH_SIZE_PROPERTY, Integer.toString(batchSize));
        getLog().info("Set the project property "
                + TuningSession.BATCH_SIZE_PROPERTY
                + "="
                + batchSize
                + "; the report is in "
                + directory
                + ".");
    }

    /** The parameters by {@code TuneOptions} name, one line each, after {@code options} so that they win. */
    Map<String, String> tuneOptions() {
        Map<String, String> byName = new LinkedHashMap<>(options == null ? Map.of() : options);
        byName.put("goal", goal);
        byName.put("memoryBudget", memoryBudget);
        byName.put("saturationThreshold", Double.toString(saturationThreshold));
        byName.put("maxBatchSize", maxBatchSize == null ? null : maxBatchSize.toString());
        byName.put("warmupSteps", Integer.toString(warmupSteps));
        byName.put("measuredSteps", Integer.toString(measuredSteps));
        return byName;
    }

    private static Class<? extends TuningTarget> loadTarget(
            ClassLoader loader, TuneSettings settings, ClasspathScope scope) throws MojoExecutionException {
        try {
            return TargetLoader.load(loader, settings.target(), scope);
        } catch (IllegalArgumentException e) {
            throw new MojoExecutionException(e.getMessage(), e);
        }
    }

    private int tuneInProcess(Class<? extends TuningTarget> type, TuneSettings settings, ClassLoader loader)
            throws MojoExecutionException, MojoFailureException {
        synchronized (IN_PROCESS_LOCK) {
            Thread thread = Thread.currentThread();
            ClassLoader previousLoader = thread.getContextClassLoader();
            String previousOffline = System.getProperty("offline");
            thread.setContextClassLoader(loader);
            System.setProperty("offline", "true");
            try {
                TuningTarget instance;
                try {
                    instance = TargetLoader.instantiate(type);
                } catch (IllegalArgumentException e) {
                    throw new MojoExecutionException(e.getMessage(), e);
                } catch (Exception | LinkageError e) {
                    throw new MojoFailureException("Creating the tuning target failed: " + Failures.messageOf(e), e);
                }
                try {
                    return TuningSession.run(instance, settings, outputDirectory.toPath(), getLog()::info)
                            .batchSize();
                } catch (Exception | LinkageError | OutOfMemoryError e) {
                    throw new MojoFailureException(Failures.tuningFailed(settings.target(), e), e);
                }
            } finally {
                thread.setContextClassLoader(previousLoader);
                if (previousOffline == null) {
                    System.clearProperty("offline");
                } else {
                    System.setProperty("offline", previousOffline);
                }
            }
        }
    }

    private int tuneForked(TuneSettings settings, ClasspathScope scope, List<String> extraJvmArgs)
            throws MojoExecutionException, MojoFailureException {
        Path directory = outputDirectory.toPath();
        List<File> classpath = ForkClasspath.fork(
                scope,
                new File(project.getBuild().getOutputDirectory()),
                new File(project.getBuild().getTestOutputDirectory()),
                project.getArtifacts(),
                pluginArtifacts);
        if (!ForkClasspath.contains(project.getArtifacts(), "org.slf4j", "slf4j-api")
                && !ForkClasspath.contains(pluginArtifacts, "org.slf4j", "slf4j-api")) {
            // Maven keeps its own SLF4J API out of a plugin's artifacts; DJL needs one.
            classpath.add(jarOf(org.slf4j.LoggerFactory.class));
        }
        Path settingsFile = directory.resolve("fork.properties");
        Path argumentFile = directory.resolve("fork.args");
        List<String> arguments = new ArrayList<>();
        arguments.add("-Doffline=true");
        arguments.add("-Djava.awt.headless=true");
        arguments.add("-Dorg.slf4j.simpleLogger.logFile=System.out");
        // AutoBatch's own progress at INFO, everything else (DJL) from WARN, each line starting with
        // its level so that it reaches the build log at that level.
        arguments.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
        arguments.add("-Dorg.slf4j.simpleLogger.log.dev.autobatch=info");
        arguments.add("-Dorg.slf4j.simpleLogger.showThreadName=false");
        arguments.add("-Dorg.slf4j.simpleLogger.showLogName=false");
        arguments.add("-XX:ErrorFile=" + directory.resolve("hs_err_pid%p.log"));
        if (getLog().isDebugEnabled()) {
            arguments.add("-D" + ForkedTuning.DEBUG_PROPERTY + "=true");
        }
        arguments.addAll(extraJvmArgs);
        arguments.add("-cp");
        arguments.add(String.join(
                File.pathSeparator, classpath.stream().map(File::getPath).toList()));
        arguments.add(ForkedTuning.class.getName());
        arguments.add(settingsFile.toString());
        Path java = ForkedJvm.javaLauncher(Path.of(System.getProperty("java.home")));
        String rerun = java + " @" + argumentFile;
        try {
            Files.createDirectories(directory);
            Properties values = new Properties();
            values.putAll(settings.toMap());
            values.setProperty(
                    ForkedTuning.OUTPUT_DIRECTORY, directory.toAbsolutePath().toString());
            values.setProperty(ForkedTuning.CLASSPATH_SCOPE, classpathScope);
            try (Writer out = Files.newBufferedWriter(settingsFile, StandardCharsets.UTF_8)) {
                values.store(out, "autobatch:tune settings for " + ForkedTuning.class.getName());
            }
            Files.writeString(argumentFile, ForkedJvm.argumentFile(arguments), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new MojoExecutionException(
                    "Cannot write the forked JVM's settings into " + directory + ": " + e.getMessage()
                            + ". Set autobatch.outputDirectory to a directory this build may write.",
                    e);
        }
        getLog().info("Tuning in a forked JVM; to run it by hand: " + rerun);
        ForkedJvm.Outcome outcome;
        try {
            outcome = ForkedJvm.run(
                    List.of(java.toString(), "@" + argumentFile),
                    Map.of("DJL_OFFLINE", "true"),
                    project.getBasedir(),
                    this::logForkOutput,
                    getLog()::warn);
        } catch (IOException e) {
            throw new MojoExecutionException("Cannot start the forked tuning JVM " + java + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MojoExecutionException("Interrupted while the forked tuning JVM ran; it was stopped.", e);
        }
        if (!outcome.succeeded()) {
            String message = outcome.explain(directory, rerun);
            if (outcome.badConfiguration()) {
                throw new MojoExecutionException(message);
            }
            throw new MojoFailureException(message);
        }
        OptionalInt batchSize;
        try {
            batchSize = TuningSession.readBatchSize(directory);
        } catch (IOException e) {
            throw new MojoExecutionException(
                    "Cannot read " + directory.resolve(TuningSession.PROPERTIES_FILE) + ": " + e.getMessage(), e);
        }
        if (batchSize.isEmpty()) {
            throw new MojoFailureException("The forked tuning JVM ended without error but wrote no batch size to "
                    + directory.resolve(TuningSession.PROPERTIES_FILE)
                    + ". Run it by hand to see why: "
                    + rerun);
        }
        return batchSize.getAsInt();
    }

    private void logForkOutput(String line) {
        ForkedJvm.LogLine logLine = ForkedJvm.LogLine.parse(line);
        switch (logLine.level()) {
            case DEBUG -> getLog().debug(logLine.text());
            case WARN -> getLog().warn(logLine.text());
            case ERROR -> getLog().error(logLine.text());
            default -> getLog().info(logLine.text());
        }
    }

    private static URL[] urls(List<File> files) throws MojoExecutionException {
        URL[] urls = new URL[files.size()];
        for (int i = 0; i < urls.length; i++) {
            try {
                urls[i] = files.get(i).toURI().toURL();
            } catch (MalformedURLException e) {
                throw new MojoExecutionException(
                        "Cannot use " + files.get(i) + " on a class path: " + e.getMessage(), e);
            }
        }
        return urls;
    }

    private static File jarOf(Class<?> type) throws MojoExecutionException {
        try {
            return new File(
                    type.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new MojoExecutionException("Cannot locate the jar of " + type.getName() + ": " + e, e);
        }
    }
}
