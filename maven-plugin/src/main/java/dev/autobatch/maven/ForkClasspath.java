package dev.autobatch.maven;

import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.jar.JarFile;
import org.apache.maven.artifact.Artifact;

/**
 * The class path of the tuning: the project's (in the configured scope) first, then the plugin's
 * own runtime class path (autotune, core, DJL, libtorch's native jar) for every artifact the project
 * does not already bring. The project's version of an artifact wins, as it would in the project's
 * own tests.
 */
final class ForkClasspath {

    private static final String SLF4J_PROVIDER = "META-INF/services/org.slf4j.spi.SLF4JServiceProvider";

    private ForkClasspath() {}

    /**
     * Returns the project's class path in a scope: its output directories, then its resolved
     * dependencies of that scope, in Maven's order.
     *
     * @param scope the class path scope
     * @param outputDirectory {@code target/classes}
     * @param testOutputDirectory {@code target/test-classes}
     * @param projectArtifacts the project's resolved dependencies, every scope
     * @return the files, without duplicates
     */
    static List<File> project(
            ClasspathScope scope, File outputDirectory, File testOutputDirectory, Iterable<Artifact> projectArtifacts) {
        Set<File> files = new LinkedHashSet<>();
        if (scope.includesTestClasses()) {
            files.add(testOutputDirectory);
        }
        files.add(outputDirectory);
        for (Artifact artifact : projectArtifacts) {
            if (onClasspath(artifact) && scope.includes(artifact.getScope())) {
                files.add(artifact.getFile());
            }
        }
        return new ArrayList<>(files);
    }

    /**
     * Returns the forked JVM's class path: the project's, then each plugin artifact that the
     * project's class path does not hold in any version. The plugin's SLF4J provider is left out
     * when the project brings one, so the project's logging wins and SLF4J does not complain of
     * two.
     *
     * @param scope the class path scope
     * @param outputDirectory {@code target/classes}
     * @param testOutputDirectory {@code target/test-classes}
     * @param projectArtifacts the project's resolved dependencies, every scope
     * @param pluginArtifacts the plugin's resolved runtime dependencies
     * @return the files, in order, without duplicates
     */
    static List<File> fork(
            ClasspathScope scope,
            File outputDirectory,
            File testOutputDirectory,
            Iterable<Artifact> projectArtifacts,
            Iterable<Artifact> pluginArtifacts) {
        List<File> projectFiles = project(scope, outputDirectory, testOutputDirectory, projectArtifacts);
        Set<String> projectKeys = new HashSet<>();
        for (Artifact artifact : projectArtifacts) {
            if (onClasspath(artifact) && scope.includes(artifact.getScope())) {
                projectKeys.add(key(artifact));
            }
        }
        boolean projectLogs = projectFiles.stream().anyMatch(ForkClasspath::isSlf4jProvider);
        Set<File> files = new LinkedHashSet<>(projectFiles);
        for (Artifact artifact : pluginArtifacts) {
            if (!onClasspath(artifact) || projectKeys.contains(key(artifact))) {
                continue;
            }
            if (projectLogs && isSlf4jProvider(artifact.getFile())) {
                continue;
            }
            files.add(artifact.getFile());
        }
        return new ArrayList<>(files);
    }

    /**
     * Returns whether any of the artifacts is the given one, in any version.
     *
     * @param artifacts the artifacts
     * @param groupId the group
     * @param artifactId the artifact
     * @return {@code true} if present
     */
    static boolean contains(Iterable<Artifact> artifacts, String groupId, String artifactId) {
        for (Artifact artifact : artifacts) {
            if (artifact.getGroupId().equals(groupId)
                    && artifact.getArtifactId().equals(artifactId)) {
                return true;
            }
        }
        return false;
    }

    private static boolean onClasspath(Artifact artifact) {
        return artifact.getFile() != null
                && (artifact.getArtifactHandler() == null
                        || artifact.getArtifactHandler().isAddedToClasspath());
    }

    /** Group, artifact and classifier: one of each on a class path, whatever the version. */
    private static String key(Artifact artifact) {
        String classifier = artifact.getClassifier() == null ? "" : artifact.getClassifier();
        return artifact.getGroupId() + ':' + artifact.getArtifactId() + ':' + classifier;
    }

    /** Whether a jar registers an SLF4J 2 provider; a directory or unreadable file does not. */
    private static boolean isSlf4jProvider(File file) {
        if (!file.isFile()) {
            return false;
        }
        try (JarFile jar = new JarFile(file)) {
            return jar.getEntry(SLF4J_PROVIDER) != null;
        } catch (IOException e) {
            return false;
        }
    }
}
