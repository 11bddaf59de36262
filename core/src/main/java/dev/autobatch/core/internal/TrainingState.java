package dev.autobatch.core.internal;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The state of a training configuration's stateful objects (its optimizer, loss and evaluators,
 * and everything they hold), copied so it can be put back exactly after trials have trained with
 * them: an optimizer's update counts and momentum or moment arrays, a learning-rate tracker's
 * position, an evaluator's accumulators.
 *
 * <p>DJL keeps that state in plain fields, maps and lists, so a copy is taken by walking the
 * objects' fields: numbers and immutable values are remembered, maps, collections and arrays are
 * copied entry by entry, NDArrays to host bytes, and any other object is walked in turn. Restoring
 * puts every field, entry and array value back, closes the NDArrays the trials created (an
 * optimizer's state for a parameter it had not updated before), and leaves the objects' identity
 * as it was. Lambdas are kept by reference: what they capture is not walked.
 *
 * <p>State this cannot copy (a native resource, a model, a JDK type other than the collections) is
 * refused when the copy is taken, naming the field, so the caller can ask for a configuration of
 * the trials' own instead.
 */
public final class TrainingState {

    /** Deeper than this, a holder of state is taken for something that is not a configuration. */
    private static final int MAX_DEPTH = 8;

    private static final Set<Class<?>> IMMUTABLE = Set.of(
            String.class,
            Boolean.class,
            Character.class,
            Byte.class,
            Short.class,
            Integer.class,
            Long.class,
            Float.class,
            Double.class,
            Class.class,
            Device.class,
            Shape.class,
            DataType.class);

    private static final List<Class<?>> REFUSED = List.of(NDManager.class, Model.class, Block.class, Engine.class);

    private final List<Runnable> restorers = new ArrayList<>();
    private final Set<Object> visited = Collections.newSetFromMap(new IdentityHashMap<>());
    private final Set<NDArray> originalArrays = Collections.newSetFromMap(new IdentityHashMap<>());

    private TrainingState() {}

    /**
     * Copies the state of the given objects and of everything they hold.
     *
     * @param roots the objects, by the name an error should use for each, such as {@code "the
     *     optimizer"}
     * @return the copy
     * @throws UnsupportedStateException if some state cannot be copied; the message names it
     */
    public static TrainingState of(Map<String, ?> roots) {
        TrainingState state = new TrainingState();
        for (Map.Entry<String, ?> root : roots.entrySet()) {
            if (root.getValue() != null) {
                state.visit(
                        root.getValue(),
                        root.getKey() + " (" + root.getValue().getClass().getName() + ")",
                        0);
            }
        }
        return state;
    }

    /** Puts every copied value back and closes the arrays created since the copy was taken. */
    public void restore() {
        for (Runnable restorer : restorers) {
            restorer.run();
        }
    }

    /** Some state cannot be copied; the message names where it is. */
    public static final class UnsupportedStateException extends RuntimeException {

        private static final long serialVersionUID = 1L;

        UnsupportedStateException(String message) {
            super(message);
        }
    }

    private void visit(Object value, String path, int depth) {
        if (value == null || isImmutable(value.getClass()) || !visited.add(value)) {
            return;
        }
        if (depth > MAX_DEPTH) {
            throw new UnsupportedStateException(path + " lies too deep to be copied");
        }
        if (value instanceof NDArray array) {
            visitArray(array);
        } else if (value instanceof Map<?, ?> map) {
            visitMap(map, path, depth);
        } else if (value instanceof Collection<?> collection) {
            visitCollection(collection, path, depth);
        } else if (value.getClass().isArray()) {
            visitJavaArray(value, path, depth);
        } else if (value instanceof AtomicInteger atomic) {
            int saved = atomic.get();
            restorers.add(() -> atomic.set(saved));
        } else if (value instanceof AtomicLong atomic) {
            long saved = atomic.get();
            restorers.add(() -> atomic.set(saved));
        } else {
            visitFields(value, path, depth);
        }
    }

    private void visitArray(NDArray array) {
        originalArrays.add(array);
        byte[] saved = array.toByteArray();
        restorers.add(() -> {
            if (!Arrays.equals(array.toByteArray(), saved)) {
                array.set(ByteBuffer.wrap(saved));
            }
        });
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private void visitMap(Map<?, ?> map, String path, int depth) {
        Map<Object, Object> saved = new LinkedHashMap<>(map);
        for (Map.Entry<?, ?> entry : saved.entrySet()) {
            visit(entry.getValue(), path + "[" + entry.getKey() + "]", depth + 1);
        }
        Map raw = map;
        restorers.add(() -> {
            closeCreatedArrays(raw.values());
            raw.clear();
            raw.putAll(saved);
        });
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private void visitCollection(Collection<?> collection, String path, int depth) {
        List<Object> saved = new ArrayList<>(collection);
        for (int i = 0; i < saved.size(); i++) {
            visit(saved.get(i), path + "[" + i + "]", depth + 1);
        }
        Collection raw = collection;
        restorers.add(() -> {
            closeCreatedArrays(raw);
            raw.clear();
            raw.addAll(saved);
        });
    }

    private void visitJavaArray(Object array, String path, int depth) {
        int length = Array.getLength(array);
        Object saved = Array.newInstance(array.getClass().getComponentType(), length);
        System.arraycopy(array, 0, saved, 0, length);
        if (!array.getClass().getComponentType().isPrimitive()) {
            for (int i = 0; i < length; i++) {
                visit(Array.get(saved, i), path + "[" + i + "]", depth + 1);
            }
        }
        restorers.add(() -> System.arraycopy(saved, 0, array, 0, length));
    }

    private void visitFields(Object value, String path, int depth) {
        Class<?> type = value.getClass();
        for (Class<?> refused : REFUSED) {
            if (refused.isInstance(value)) {
                throw new UnsupportedStateException(path + " holds a " + refused.getSimpleName());
            }
        }
        if (isPlatformClass(type)) {
            throw new UnsupportedStateException(path + " is a " + type.getName() + ", whose state cannot be copied");
        }
        if (type.isSynthetic() || type.isHidden()) {
            return; // a lambda: kept by reference
        }
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field field : c.getDeclaredFields()) {
                if (!Modifier.isStatic(field.getModifiers()) && !field.isSynthetic()) {
                    visitField(value, field, path + "." + field.getName(), depth);
                }
            }
        }
    }

    private void visitField(Object owner, Field field, String path, int depth) {
        try {
            field.setAccessible(true);
        } catch (RuntimeException e) {
            throw new UnsupportedStateException(path + " cannot be read: " + e.getMessage());
        }
        Object saved = read(owner, field);
        visit(saved, path, depth + 1);
        boolean primitive = field.getType().isPrimitive();
        restorers.add(() -> {
            Object now = read(owner, field);
            if (primitive ? !saved.equals(now) : saved != now) {
                try {
                    field.set(owner, saved);
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(path + " could not be put back: " + e.getMessage(), e);
                }
            }
        });
    }

    private static Object read(Object owner, Field field) {
        try {
            return field.get(owner);
        } catch (IllegalAccessException e) {
            throw new UnsupportedStateException(field + " cannot be read: " + e.getMessage());
        }
    }

    /** Closes the arrays (at any depth of maps and collections) that the copy did not see. */
    private void closeCreatedArrays(Collection<?> values) {
        for (Object value : values) {
            if (value instanceof NDArray array && !originalArrays.contains(array)) {
                array.close();
            } else if (value instanceof Map<?, ?> map && !visited.contains(map)) {
                closeCreatedArrays(map.values());
            } else if (value instanceof Collection<?> collection && !visited.contains(collection)) {
                closeCreatedArrays(collection);
            }
        }
    }

    private static boolean isImmutable(Class<?> type) {
        return IMMUTABLE.contains(type) || type.isEnum() || Enum.class.isAssignableFrom(type);
    }

    private static boolean isPlatformClass(Class<?> type) {
        String name = type.getName();
        return name.startsWith("java.")
                || name.startsWith("javax.")
                || name.startsWith("jdk.")
                || name.startsWith("sun.")
                || name.startsWith("com.sun.");
    }
}
