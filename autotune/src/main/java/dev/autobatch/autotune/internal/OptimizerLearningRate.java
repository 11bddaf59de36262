package dev.autobatch.autotune.internal;

import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.ParameterTracker;
import ai.djl.training.tracker.WarmUpTracker;
import java.lang.reflect.Field;
import java.util.OptionalDouble;

/**
 * Reads the base learning rate of a DJL optimizer. DJL's optimizers keep their learning-rate
 * tracker in a private field and expose no getter, so this looks for the one field of type {@link
 * ParameterTracker} by reflection (it works for every optimizer DJL 0.36 ships) and asks it for the
 * rate of the first update; a {@link WarmUpTracker} is unwrapped first, so the rate read is the one
 * the warm-up leads to. Anything that cannot be read yields empty, never an exception.
 */
public final class OptimizerLearningRate {

    private OptimizerLearningRate() {}

    /**
     * Reads the optimizer's base learning rate.
     *
     * @param optimizer the optimizer, or {@code null}
     * @return the rate, or empty if the optimizer keeps none this can find (or is {@code null})
     */
    public static OptionalDouble read(Optimizer optimizer) {
        if (optimizer == null) {
            return OptionalDouble.empty();
        }
        try {
            Object tracker = fieldOfType(optimizer, ParameterTracker.class);
            while (tracker instanceof WarmUpTracker warmUp) {
                tracker = fieldOfType(warmUp, ParameterTracker.class);
            }
            if (!(tracker instanceof ParameterTracker parameterTracker)) {
                return OptionalDouble.empty();
            }
            float rate = parameterTracker.getNewValue("autobatch", 0);
            return Float.isFinite(rate) && rate > 0 ? OptionalDouble.of(rate) : OptionalDouble.empty();
        } catch (ReflectiveOperationException | RuntimeException e) {
            // A custom optimizer or a future DJL keeps its rate elsewhere: not readable, not an error.
            return OptionalDouble.empty();
        }
    }

    private static Object fieldOfType(Object owner, Class<?> type) throws IllegalAccessException {
        for (Class<?> c = owner.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field field : c.getDeclaredFields()) {
                if (type.isAssignableFrom(field.getType())) {
                    field.setAccessible(true);
                    return field.get(owner);
                }
            }
        }
        return null;
    }
}
