package dev.autobatch.core.internal;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.EngineException;
import org.junit.jupiter.api.Test;

class OutOfMemoryTest {

    @Test
    void recognisesTheAllocatorsMessages() {
        assertTrue(OutOfMemory.isOutOfMemory(new EngineException("CUDA out of memory. Tried to allocate 2.00 GiB")));
        assertTrue(OutOfMemory.isOutOfMemory(new EngineException("CUDA error: out of memory")));
        assertTrue(OutOfMemory.isOutOfMemory(
                new EngineException("[enforce fail at alloc_cpu.cpp:117] data. DefaultCPUAllocator: can't allocate"
                        + " memory: you tried to allocate 1099511627776 bytes.")));
        assertTrue(
                OutOfMemory.isOutOfMemory(new EngineException("CUDA error: CUBLAS_STATUS_ALLOC_FAILED when calling")));
        assertTrue(OutOfMemory.isOutOfMemory(new OutOfMemoryError("Direct buffer memory")));
    }

    @Test
    void findsTheMessageAmongCauses() {
        assertTrue(OutOfMemory.isOutOfMemory(
                new IllegalStateException("step failed", new EngineException("XPU out of memory"))));
    }

    @Test
    void otherFailuresAreNotOutOfMemory() {
        assertFalse(OutOfMemory.isOutOfMemory(new EngineException("shape mismatch: [32, 10] vs [32]")));
        assertFalse(OutOfMemory.isOutOfMemory(new IllegalStateException()));
    }
}
