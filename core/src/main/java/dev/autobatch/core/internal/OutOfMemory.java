package dev.autobatch.core.internal;

import java.util.List;
import java.util.Locale;

/**
 * Recognises an allocator running out of memory among the exceptions a training step throws.
 * PyTorch's messages reach Java inside DJL's {@code EngineException}; the phrases are the ones
 * the Python batch-size finders (Lightning, Accelerate) match, plus Java's own.
 */
public final class OutOfMemory {

    private static final List<String> PHRASES = List.of(
            "out of memory", // CUDA "CUDA out of memory.", "CUDA error: out of memory", XPU, MPS
            "can't allocate memory", // CPU: "DefaultCPUAllocator: can't allocate memory"
            "cannot allocate memory",
            "cublas_status_alloc_failed",
            "cudnn_status_not_supported", // cuDNN's answer when its workspace cannot be had
            "failed to allocate memory",
            "direct buffer memory"); // java.lang.OutOfMemoryError for native buffers

    private OutOfMemory() {}

    /**
     * Returns whether the throwable, or one of its causes, says memory ran out.
     *
     * @param thrown what a training step threw
     * @return {@code true} for an out-of-memory failure
     */
    public static boolean isOutOfMemory(Throwable thrown) {
        for (Throwable t = thrown; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof OutOfMemoryError) {
                return true;
            }
            String message = t.getMessage();
            if (message != null) {
                String lower = message.toLowerCase(Locale.ROOT);
                for (String phrase : PHRASES) {
                    if (lower.contains(phrase)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }
}
