package dev.autobatch.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ClasspathScopeTest {

    @Test
    void readsTheThreeScopesInAnyCase() {
        assertEquals(ClasspathScope.TEST, ClasspathScope.parse("test"));
        assertEquals(ClasspathScope.RUNTIME, ClasspathScope.parse("Runtime"));
        assertEquals(ClasspathScope.COMPILE, ClasspathScope.parse(" COMPILE "));
    }

    @Test
    void rejectsOtherScopesNamingTheAcceptedOnes() {
        assertEquals(
                "autobatch.classpathScope must be compile, runtime or test, got 'system'. Use test"
                        + " (the default) when the target is in src/test/java.",
                assertThrows(IllegalArgumentException.class, () -> ClasspathScope.parse("system"))
                        .getMessage());
    }

    @Test
    void holdsTheDependencyScopesMavenPutsOnEachClassPath() {
        assertTrue(ClasspathScope.TEST.includes("test"));
        assertTrue(ClasspathScope.TEST.includes("provided"));
        assertFalse(ClasspathScope.RUNTIME.includes("test"));
        assertFalse(ClasspathScope.RUNTIME.includes("provided"));
        assertTrue(ClasspathScope.RUNTIME.includes("runtime"));
        assertFalse(ClasspathScope.COMPILE.includes("runtime"));
        assertTrue(ClasspathScope.COMPILE.includes(null));
        assertTrue(ClasspathScope.TEST.includesTestClasses());
        assertFalse(ClasspathScope.RUNTIME.includesTestClasses());
    }

    @Test
    void describesWhereItLooked() {
        assertEquals(
                "the project's test class path (target/test-classes, target/classes and the dependencies"
                        + " of every scope)",
                ClasspathScope.TEST.describe());
    }
}
