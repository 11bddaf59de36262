package dev.autobatch.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarOutputStream;
import java.util.zip.ZipEntry;
import org.apache.maven.artifact.Artifact;
import org.apache.maven.artifact.DefaultArtifact;
import org.apache.maven.artifact.handler.DefaultArtifactHandler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ForkClasspathTest {

    @TempDir
    Path dir;

    private final File classes = new File("/p/target/classes");
    private final File testClasses = new File("/p/target/test-classes");

    private static Artifact artifact(
            String groupId, String artifactId, String version, String scope, String type, File file) {
        DefaultArtifactHandler handler = new DefaultArtifactHandler(type);
        handler.setAddedToClasspath(!"pom".equals(type));
        DefaultArtifact artifact = new DefaultArtifact(groupId, artifactId, version, scope, type, null, handler);
        artifact.setFile(file);
        return artifact;
    }

    private static Artifact jar(String artifactId, String version, String scope) {
        return artifact(
                "g", artifactId, version, scope, "jar", new File("/repo/" + artifactId + "-" + version + ".jar"));
    }

    @Test
    void testScopePutsTestClassesFirstAndEveryDependency() {
        List<Artifact> project = List.of(jar("a", "1", "compile"), jar("t", "1", "test"), jar("p", "1", "provided"));
        assertEquals(
                List.of(
                        testClasses,
                        classes,
                        new File("/repo/a-1.jar"),
                        new File("/repo/t-1.jar"),
                        new File("/repo/p-1.jar")),
                ForkClasspath.project(ClasspathScope.TEST, classes, testClasses, project));
    }

    @Test
    void runtimeScopeLeavesOutTestClassesAndTestAndProvidedDependencies() {
        List<Artifact> project = List.of(
                jar("a", "1", "compile"), jar("t", "1", "test"), jar("p", "1", "provided"), jar("r", "1", "runtime"));
        assertEquals(
                List.of(classes, new File("/repo/a-1.jar"), new File("/repo/r-1.jar")),
                ForkClasspath.project(ClasspathScope.RUNTIME, classes, testClasses, project));
    }

    @Test
    void leavesOutPomsAndUnresolvedArtifacts() {
        List<Artifact> project = List.of(
                artifact("g", "bom", "1", "compile", "pom", new File("/repo/bom-1.pom")),
                artifact("g", "x", "1", "compile", "jar", null));
        assertEquals(List.of(classes), ForkClasspath.project(ClasspathScope.COMPILE, classes, testClasses, project));
    }

    @Test
    void appendsPluginArtifactsTheProjectLacksAndKeepsTheProjectsVersions() {
        List<Artifact> project = List.of(jar("djl-api", "0.36.0", "test"));
        List<Artifact> plugin = List.of(jar("djl-api", "0.35.0", "runtime"), jar("autotune", "1", "compile"));
        assertEquals(
                List.of(testClasses, classes, new File("/repo/djl-api-0.36.0.jar"), new File("/repo/autotune-1.jar")),
                ForkClasspath.fork(ClasspathScope.TEST, classes, testClasses, project, plugin));
    }

    @Test
    void aProjectDependencyOutsideTheScopeDoesNotHideThePluginsCopy() {
        List<Artifact> project = List.of(jar("djl-api", "0.36.0", "test"));
        List<Artifact> plugin = List.of(jar("djl-api", "0.36.0", "compile"));
        assertEquals(
                List.of(classes, new File("/repo/djl-api-0.36.0.jar")),
                ForkClasspath.fork(ClasspathScope.RUNTIME, classes, testClasses, project, plugin));
    }

    @Test
    void leavesOutThePluginsLoggingWhenTheProjectBringsItsOwn() throws IOException {
        File projectLogging = slf4jProvider("logback.jar");
        File pluginLogging = slf4jProvider("slf4j-simple.jar");
        List<Artifact> plugin = List.of(artifact("org.slf4j", "slf4j-simple", "2", "runtime", "jar", pluginLogging));

        List<Artifact> withLogging = List.of(artifact("ch.qos", "logback", "1", "test", "jar", projectLogging));
        List<File> classpath = ForkClasspath.fork(ClasspathScope.TEST, classes, testClasses, withLogging, plugin);
        assertTrue(classpath.contains(projectLogging));
        assertFalse(classpath.contains(pluginLogging));

        List<File> without = ForkClasspath.fork(ClasspathScope.TEST, classes, testClasses, List.of(), plugin);
        assertTrue(without.contains(pluginLogging));
    }

    @Test
    void findsAnArtifactInAnyVersion() {
        List<Artifact> artifacts = List.of(artifact("org.slf4j", "slf4j-api", "2.0.17", "compile", "jar", null));
        assertTrue(ForkClasspath.contains(artifacts, "org.slf4j", "slf4j-api"));
        assertFalse(ForkClasspath.contains(artifacts, "org.slf4j", "slf4j-simple"));
    }

    private File slf4jProvider(String name) throws IOException {
        Path jar = dir.resolve(name);
        try (OutputStream file = Files.newOutputStream(jar);
                JarOutputStream out = new JarOutputStream(file)) {
            out.putNextEntry(new ZipEntry("META-INF/services/org.slf4j.spi.SLF4JServiceProvider"));
            out.write("some.Provider\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            out.closeEntry();
        }
        return jar.toFile();
    }
}
