package dev.autobatch.maven;

import dev.autobatch.autotune.TuningTarget;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Modifier;

/**
 * Finds the user's {@link TuningTarget} class on a class path and creates it. Every mistake a user
 * can make in naming or writing the class ends in an {@link IllegalArgumentException} whose message
 * names the class, where it was looked for, and the fix.
 */
final class TargetLoader {

    private TargetLoader() {}

    /**
     * Loads the target class without initialising it.
     *
     * @param loader the class loader over the project's class path
     * @param className the fully qualified class name
     * @param scope the class path the loader covers, for the message
     * @return the class, which implements {@link TuningTarget}
     * @throws IllegalArgumentException if the class is missing, cannot be linked, or does not
     *     implement {@link TuningTarget}
     */
    static Class<? extends TuningTarget> load(ClassLoader loader, String className, ClasspathScope scope) {
        Class<?> type;
        try {
            type = Class.forName(className, false, loader);
        } catch (ClassNotFoundException e) {
            throw new IllegalArgumentException(
                    "Tuning target class "
                            + className
                            + " was not found on "
                            + scope.describe()
                            + ". Check the name in <target> (or -Dautobatch.target), run the goal after"
                            + " the class is compiled (test-compile for a class in src/test/java), or"
                            + " set <classpathScope> (-Dautobatch.classpathScope) to the class path"
                            + " that holds it.",
                    e);
        } catch (LinkageError e) {
            throw new IllegalArgumentException(
                    "Tuning target class "
                            + className
                            + " was found on "
                            + scope.describe()
                            + " but cannot be loaded: "
                            + e
                            + ". Check that the class path holds the classes it uses.",
                    e);
        }
        if (!TuningTarget.class.isAssignableFrom(type)) {
            throw new IllegalArgumentException("Tuning target class "
                    + className
                    + " does not implement dev.autobatch.autotune.TuningTarget. Implement it"
                    + " (model(), dataset(Model) and optionally trainingConfig()), or name a"
                    + " class that does in <target> (-Dautobatch.target).");
        }
        return type.asSubclass(TuningTarget.class);
    }

    /**
     * Creates the target through its public no-argument constructor.
     *
     * @param type the target class
     * @return a new instance
     * @throws IllegalArgumentException if the class is abstract or has no public no-argument
     *     constructor
     * @throws Exception what the constructor threw
     */
    static TuningTarget instantiate(Class<? extends TuningTarget> type) throws Exception {
        if (type.isInterface() || Modifier.isAbstract(type.getModifiers())) {
            throw new IllegalArgumentException("Tuning target class "
                    + type.getName()
                    + " is abstract. Name a concrete class in <target> (-Dautobatch.target).");
        }
        Constructor<? extends TuningTarget> constructor;
        try {
            constructor = type.getConstructor();
        } catch (NoSuchMethodException e) {
            throw new IllegalArgumentException(
                    "Tuning target class "
                            + type.getName()
                            + " needs a public no-argument constructor (and must be public, and static"
                            + " if nested) so that the goal can create it.",
                    e);
        }
        if (!Modifier.isPublic(type.getModifiers())) {
            throw new IllegalArgumentException(
                    "Tuning target class " + type.getName() + " must be public so that the goal can create it.");
        }
        try {
            return constructor.newInstance();
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof Exception exception) {
                throw exception;
            }
            throw (Error) cause;
        }
    }
}
