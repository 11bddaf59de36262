package dev.autobatch.core.internal;

import com.sun.jna.Library;
import com.sun.jna.Native;

/**
 * glibc's {@code malloc_trim(0)}: returns the free memory at the top of the heap and in free
 * pages of every arena to the kernel. Without it, memory an earlier trial freed stays resident and
 * raises the next trial's baseline. Does nothing where glibc is absent.
 */
final class MallocTrim {

    private static final LibC LIBC = load();

    private MallocTrim() {}

    /** Trims the C heap if glibc is there; never throws. */
    static void trim() {
        if (LIBC != null) {
            try {
                LIBC.malloc_trim(0);
            } catch (RuntimeException | LinkageError e) {
                // Nothing to trim with: the measurement is only less tight.
            }
        }
    }

    private static LibC load() {
        try {
            return Native.load("c", LibC.class);
        } catch (RuntimeException | LinkageError e) {
            return null;
        }
    }

    /** The one glibc function used. */
    interface LibC extends Library {
        @SuppressWarnings("checkstyle:MethodName")
        int malloc_trim(long pad);
    }
}
