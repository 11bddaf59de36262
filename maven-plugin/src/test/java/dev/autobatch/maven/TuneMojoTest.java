package dev.autobatch.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.autobatch.autotune.TuneOptions;
import dev.autobatch.autotune.budget.MemoryBudget;
import dev.autobatch.autotune.search.Goal;
import dev.autobatch.autotune.search.SearchSettings;
import dev.autobatch.core.TrialOptions;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.apache.maven.artifact.Artifact;
import org.apache.maven.artifact.DefaultArtifact;
import org.apache.maven.artifact.handler.DefaultArtifactHandler;
import org.apache.maven.model.Build;
import org.apache.maven.model.Model;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugin.logging.SystemStreamLog;
import org.apache.maven.project.MavenProject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TuneMojoTest {

    @TempDir
    Path dir;

    private final List<String> infos = Collections.synchronizedList(new ArrayList<>());

    /** The goal as Maven configures it with every default, on a project with nothing in it. */
    private TuneMojo mojo() throws Exception {
        TuneMojo mojo = new TuneMojo();
        mojo.goal = "THROUGHPUT";
        mojo.memoryBudget = "" + MemoryBudget.DEFAULT_FRACTION;
        mojo.saturationThreshold = SearchSettings.DEFAULT_SATURATION_THRESHOLD;
        mojo.warmupSteps = TrialOptions.DEFAULT_WARMUP_STEPS;
        mojo.measuredSteps = TrialOptions.DEFAULT_MEASURED_STEPS;
        mojo.outputDirectory = dir.resolve("target/autobatch").toFile();
        mojo.fork = true;
        mojo.classpathScope = "test";
        mojo.project = project();
        mojo.pluginArtifacts = classpathOfThisJvm();
        mojo.setLog(new SystemStreamLog() {
            @Override
            public void info(CharSequence content) {
                infos.add(content.toString());
                super.info(content);
            }
        });
        return mojo;
    }

    private MavenProject project() throws Exception {
        Model model = new Model();
        model.setGroupId("com.example");
        model.setArtifactId("demo");
        model.setVersion("1");
        Build build = new Build();
        build.setDirectory(dir.resolve("target").toString());
        build.setOutputDirectory(
                Files.createDirectories(dir.resolve("target/classes")).toString());
        build.setTestOutputDirectory(
                Files.createDirectories(dir.resolve("target/test-classes")).toString());
        model.setBuild(build);
        MavenProject project = new MavenProject(model);
        project.setFile(dir.resolve("pom.xml").toFile());
        return project;
    }

    /** What a plugin realm would hold: here, the class path of the test JVM, as artifacts. */
    private static List<Artifact> classpathOfThisJvm() {
        List<Artifact> artifacts = new ArrayList<>();
        String[] entries = System.getProperty("java.class.path").split(File.pathSeparator);
        for (int i = 0; i < entries.length; i++) {
            DefaultArtifactHandler handler = new DefaultArtifactHandler("jar");
            handler.setAddedToClasspath(true);
            DefaultArtifact artifact = new DefaultArtifact("test", "entry" + i, "1", "runtime", "jar", null, handler);
            artifact.setFile(new File(entries[i]));
            artifacts.add(artifact);
        }
        return artifacts;
    }

    @Test
    void eachParameterReachesTheOptionOfItsName() throws Exception {
        TuneMojo mojo = mojo();
        mojo.goal = "max-fit";
        mojo.memoryBudget = "2g";
        mojo.saturationThreshold = 0.1;
        mojo.maxBatchSize = 64;
        mojo.warmupSteps = 1;
        mojo.measuredSteps = 3;
        mojo.options = Map.of("startBatchSize", "4", "warmupSteps", "7");
        TuneOptions options = TuneOptions.builder()
                .fromProperties(TuneSettings.PREFIX, mojo.tuneOptions())
                .build();
        assertEquals(Goal.MAX_FIT, options.goal());
        assertEquals(2L << 30, options.memoryBudget().bytes());
        assertEquals(0.1, options.saturationThreshold());
        assertEquals(64, options.maxBatchSize().orElseThrow());
        assertEquals(1, options.trial().warmupSteps(), "a parameter of its own wins over <options>");
        assertEquals(3, options.trial().measuredSteps());
        assertEquals(4, options.startBatchSize());
        mojo.maxBatchSize = null;
        assertTrue(TuneOptions.builder()
                .fromProperties(TuneSettings.PREFIX, mojo.tuneOptions())
                .build()
                .maxBatchSize()
                .isEmpty());
    }

    /** The goal's documentation and the README's parameter table list every goal: they cannot drift. */
    @Test
    void theGoalsDocumentationAndTheReadmeNameEveryGoal() throws Exception {
        String source = Files.readString(Path.of("src/main/java/dev/autobatch/maven/TuneMojo.java"));
        String goalDoc = source.substring(0, source.indexOf("String goal;"));
        // The formatter reflows Javadoc: read it as one line.
        goalDoc = goalDoc.substring(goalDoc.lastIndexOf("/**")).replaceAll("\\s*\\n\\s*\\*\\s*", " ");
        String readme = Files.readString(Path.of("../README.md"));
        String goalRow = readme.lines()
                .filter(line -> line.startsWith("| `goal`"))
                .findFirst()
                .orElseThrow();
        for (Goal g : Goal.values()) {
            assertTrue(goalDoc.contains("{@code " + g.name() + "}"), g + " missing from TuneMojo's goal doc");
            assertTrue(goalRow.contains("`" + g.name() + "`"), g + " missing from the README's goal row: " + goalRow);
        }
        for (String property : source.lines()
                .filter(line -> line.contains("@Parameter(property = \"autobatch."))
                .map(line -> line.replaceAll(".*property = \"autobatch\\.([A-Za-z]+)\".*", "$1"))
                .toList()) {
            assertTrue(readme.contains("| `" + property + "`"), property + " missing from the README's table");
        }
    }

    @Test
    void skipDoesNothingAndSaysSo() throws Exception {
        TuneMojo mojo = mojo();
        mojo.skip = true;
        mojo.execute();
        assertEquals(List.of("Skipping AutoBatch tuning: autobatch.skip is true."), infos);
        assertFalse(Files.exists(mojo.outputDirectory.toPath()));
        assertNull(mojo.project.getProperties().getProperty("autobatch.batchSize"));
    }

    @Test
    void noTargetSaysHowToConfigureOne() throws Exception {
        MojoExecutionException e = assertThrows(MojoExecutionException.class, () -> mojo().execute());
        assertEquals(
                "No tuning target configured. Set <target> (or -Dautobatch.target) to a class"
                        + " implementing dev.autobatch.autotune.TuningTarget.",
                e.getMessage());
    }

    @Test
    void aBadBudgetNamesTheParameter() throws Exception {
        TuneMojo mojo = mojo();
        mojo.target = Targets.FailingModel.class.getName();
        mojo.memoryBudget = "half";
        MojoExecutionException e = assertThrows(MojoExecutionException.class, mojo::execute);
        assertTrue(e.getMessage().startsWith("autobatch.memoryBudget must be a size in bytes"), e.getMessage());
        assertTrue(e.getMessage().contains("got 'half'"), e.getMessage());
    }

    @Test
    void aBadScopeNamesTheParameter() throws Exception {
        TuneMojo mojo = mojo();
        mojo.target = Targets.FailingModel.class.getName();
        mojo.classpathScope = "everything";
        MojoExecutionException e = assertThrows(MojoExecutionException.class, mojo::execute);
        assertTrue(
                e.getMessage().startsWith("autobatch.classpathScope must be compile, runtime or test"), e.getMessage());
    }

    @Test
    void aMissingClassSaysWhichClassPathWasSearched() throws Exception {
        TuneMojo mojo = mojo();
        mojo.target = "com.example.NoSuchTarget";
        mojo.classpathScope = "runtime";
        MojoExecutionException e = assertThrows(MojoExecutionException.class, mojo::execute);
        assertTrue(
                e.getMessage()
                        .startsWith("Tuning target class com.example.NoSuchTarget was not found on the project's"
                                + " runtime class path (target/classes and the compile and runtime dependencies)."),
                e.getMessage());
        assertTrue(e.getMessage().contains("-Dautobatch.classpathScope"), e.getMessage());
    }

    @Test
    void aClassThatIsNotATargetSaysWhatToImplement() throws Exception {
        TuneMojo mojo = mojo();
        mojo.target = Targets.NotATarget.class.getName();
        MojoExecutionException e = assertThrows(MojoExecutionException.class, mojo::execute);
        assertEquals(
                "Tuning target class "
                        + Targets.NotATarget.class.getName()
                        + " does not implement dev.autobatch.autotune.TuningTarget. Implement it (model(),"
                        + " dataset(Model) and optionally trainingConfig()), or name a class that does in"
                        + " <target> (-Dautobatch.target).",
                e.getMessage());
    }

    @Test
    void aFailingTargetFailsTheGoalInProcessWithItsMessage() throws Exception {
        TuneMojo mojo = mojo();
        mojo.target = Targets.FailingModel.class.getName();
        mojo.fork = false;
        String offline = System.getProperty("offline");
        MojoFailureException e = assertThrows(MojoFailureException.class, mojo::execute);
        assertEquals(
                "Tuning " + Targets.FailingModel.class.getName() + " failed: IOException: "
                        + Targets.FailingModel.MESSAGE,
                e.getMessage());
        assertEquals(offline, System.getProperty("offline"), "the in-process run restores the offline property");
    }

    @Test
    void aFailingTargetFailsTheGoalInAForkWithTheSameMessage() throws Exception {
        TuneMojo mojo = mojo();
        mojo.target = Targets.FailingModel.class.getName();
        MojoFailureException e = assertThrows(MojoFailureException.class, mojo::execute);
        assertEquals(
                "Tuning " + Targets.FailingModel.class.getName() + " failed: IOException: "
                        + Targets.FailingModel.MESSAGE,
                e.getMessage());
        assertTrue(Files.isRegularFile(mojo.outputDirectory.toPath().resolve("fork.args")));
        assertFalse(Files.exists(mojo.outputDirectory.toPath().resolve(TuningSession.PROPERTIES_FILE)));
    }

    @Test
    void aTuningWhoseEveryTrialFailsFailsTheGoalWithTheFirstFailure() throws Exception {
        TuneMojo mojo = mojo();
        mojo.target = Targets.FailsEveryTrial.class.getName();
        mojo.maxBatchSize = 8;
        mojo.warmupSteps = 0;
        mojo.measuredSteps = 1;
        MojoFailureException e = assertThrows(MojoFailureException.class, mojo::execute);
        assertTrue(
                e.getMessage().startsWith("Tuning " + Targets.FailsEveryTrial.class.getName() + " failed: "),
                e.getMessage());
        assertTrue(e.getMessage().contains(Targets.FailsEveryTrial.MESSAGE), e.getMessage());
    }

    @Test
    void aForkKilledByTheKernelFailsTheGoalAndLeavesMavenRunning() throws Exception {
        TuneMojo mojo = mojo();
        mojo.target = Targets.KilledByTheKernel.class.getName();
        MojoFailureException e = assertThrows(MojoFailureException.class, mojo::execute);
        assertTrue(
                e.getMessage()
                        .startsWith("The forked tuning JVM was killed (exit 137, SIGKILL), most likely by the"
                                + " kernel's out-of-memory killer"),
                e.getMessage());
        assertNull(mojo.project.getProperties().getProperty("autobatch.batchSize"));
    }

    @Test
    void badJvmArgumentsQuoteTheForksOwnError() throws Exception {
        TuneMojo mojo = mojo();
        mojo.target = Targets.FailingModel.class.getName();
        mojo.jvmArgs = "-XX:+NoSuchOption";
        MojoFailureException e = assertThrows(MojoFailureException.class, mojo::execute);
        assertTrue(
                e.getMessage().startsWith("The forked tuning JVM exited with code 1 without a result."),
                e.getMessage());
        assertTrue(e.getMessage().contains("NoSuchOption"), e.getMessage());
        assertTrue(e.getMessage().contains("Check autobatch.jvmArgs"), e.getMessage());
    }
}
