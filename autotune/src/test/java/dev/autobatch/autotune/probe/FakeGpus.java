package dev.autobatch.autotune.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.jna.Library;
import com.sun.jna.Native;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The stand-ins for {@code libnvidia-ml.so.1} and {@code libcuda.so.1} compiled from {@code
 * src/test/c} (two GPUs: NVML 0 an A10 at PCI 0x17, NVML 1 an H100 at 0x65; CUDA lists the H100
 * first), and their test controls. They are loaded by the production bindings through {@code
 * jna.library.path}, which surefire's {@code fake-gpu} execution sets; the controls load the same
 * files, so they change what the bindings read.
 */
final class FakeGpus {

    static final long MIB = 1L << 20;
    static final long GIB = 1L << 30;
    static final int A10 = 0;
    static final int H100 = 1;
    static final String A10_UUID = "GPU-a10a10a1-0000-4000-8000-000000000017";
    static final String H100_UUID = "GPU-b100b100-0000-4000-8000-000000000065";
    /** What fake_gpus.h says each GPU has in use before a test changes it. */
    static final long A10_INITIAL_USED = 512 * MIB;

    static final long H100_INITIAL_USED = GIB;

    /** fake_nvml.c's controls. */
    interface NvmlControl extends Library {
        void fake_nvml_reset();

        int fake_nvml_set_used(int index, long used);

        int fake_nvml_set_process(int index, int pid, long used);
    }

    /** fake_cuda.c's control. */
    interface CudaControl extends Library {
        int fake_cuda_set_visible(int[] indexes, int count);
    }

    private FakeGpus() {}

    /**
     * Returns the directory holding the stand-ins, or skips the test where they were not built.
     * Under CI ({@code CI=true}) a missing stand-in fails instead: there the tests must run.
     */
    static Path directory() {
        String directory = System.getProperty("autobatch.test.fakeGpuDirectory");
        assumeTrue(
                directory != null,
                "the stand-in NVML is loaded only in surefire's fake-gpu execution (autotune/pom.xml)");
        Path dir = Path.of(directory);
        boolean built = Files.isRegularFile(dir.resolve("libnvidia-ml.so.1"))
                && Files.isRegularFile(dir.resolve("libcuda.so.1"));
        String missing = "the stand-in NVIDIA libraries (autotune/src/test/c) were not built into " + dir
                + ": Maven's fake-gpu profile compiles them where /usr/bin/gcc exists; install gcc"
                + " (bin/setup does) to run these tests";
        if ("true".equals(System.getenv("CI"))) {
            assertTrue(built, missing);
        } else {
            assumeTrue(built, missing);
        }
        return dir;
    }

    /** Loads NVML through the production binding first: its first nvmlInit_v2 resets the stand-in. */
    static Nvml nvml() {
        directory();
        return Nvml.instance()
                .orElseThrow(() -> new AssertionError("Nvml did not load the stand-in from jna.library.path="
                        + System.getProperty("jna.library.path")));
    }

    static NvmlControl nvmlControl() {
        return Native.load(directory().resolve("libnvidia-ml.so.1").toString(), NvmlControl.class);
    }

    static CudaControl cudaControl() {
        return Native.load(directory().resolve("libcuda.so.1").toString(), CudaControl.class);
    }

    /** Every device as fake_gpus.h describes it, CUDA's order fastest first. */
    static void reset() {
        nvml();
        nvmlControl().fake_nvml_reset();
        assertEquals(0, cudaControl().fake_cuda_set_visible(new int[1], -1));
    }

    static void setUsed(int nvmlIndex, long bytes) {
        assertEquals(0, nvmlControl().fake_nvml_set_used(nvmlIndex, bytes));
    }

    static void setProcess(int nvmlIndex, long pid, long bytes) {
        assertEquals(0, nvmlControl().fake_nvml_set_process(nvmlIndex, (int) pid, bytes));
    }

    /** What CUDA shows, in its order, as NVML indexes. */
    static void setCudaVisible(int... nvmlIndexes) {
        // Never a zero-length array: JNA passes each as a pointer to a copy of its elements.
        int[] padded = java.util.Arrays.copyOf(nvmlIndexes, Math.max(1, nvmlIndexes.length));
        assertEquals(0, cudaControl().fake_cuda_set_visible(padded, nvmlIndexes.length));
    }
}
