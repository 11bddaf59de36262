package dev.autobatch.maven;

import java.util.Locale;
import java.util.Set;

/**
 * The {@code autobatch.classpathScope} parameter: which of the project's class paths the tuning
 * target is loaded from, with Maven's meaning of each.
 */
enum ClasspathScope {
    /** {@code target/classes} and the compile, provided and system dependencies. */
    COMPILE(
            false,
            Set.of("compile", "provided", "system"),
            "target/classes and the compile, provided and system dependencies"),
    /** {@code target/classes} and the compile and runtime dependencies. */
    RUNTIME(false, Set.of("compile", "runtime"), "target/classes and the compile and runtime dependencies"),
    /** {@code target/test-classes}, {@code target/classes} and every dependency. */
    TEST(
            true,
            Set.of("compile", "provided", "system", "runtime", "test"),
            "target/test-classes, target/classes and the dependencies of every scope");

    private final boolean testClasses;
    private final Set<String> dependencyScopes;
    private final String contents;

    ClasspathScope(boolean testClasses, Set<String> dependencyScopes, String contents) {
        this.testClasses = testClasses;
        this.dependencyScopes = dependencyScopes;
        this.contents = contents;
    }

    /**
     * Parses the parameter's text, ignoring case.
     *
     * @param text {@code compile}, {@code runtime} or {@code test}
     * @return the scope
     * @throws IllegalArgumentException for any other text, naming the accepted ones
     */
    static ClasspathScope parse(String text) {
        String value = text == null ? "" : text.trim().toUpperCase(Locale.ROOT);
        for (ClasspathScope scope : values()) {
            if (scope.name().equals(value)) {
                return scope;
            }
        }
        throw new IllegalArgumentException("autobatch.classpathScope must be compile, runtime or test, got '"
                + text
                + "'. Use test (the default) when the target is in src/test/java.");
    }

    /**
     * Returns whether the class path includes the test classes directory.
     *
     * @return {@code true} for {@link #TEST}
     */
    boolean includesTestClasses() {
        return testClasses;
    }

    /**
     * Returns whether a dependency of the given Maven scope is on this class path.
     *
     * @param dependencyScope the dependency's scope; {@code null} counts as {@code compile}
     * @return {@code true} if it is on the class path
     */
    boolean includes(String dependencyScope) {
        return dependencyScopes.contains(dependencyScope == null ? "compile" : dependencyScope);
    }

    /**
     * Describes the class path for error messages, such as {@code "the project's test class path
     * (target/test-classes, ...)"}.
     *
     * @return the description
     */
    String describe() {
        return "the project's " + name().toLowerCase(Locale.ROOT) + " class path (" + contents + ")";
    }
}
