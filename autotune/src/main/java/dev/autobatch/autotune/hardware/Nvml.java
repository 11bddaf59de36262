package dev.autobatch.autotune.hardware;

import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.PointerByReference;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * NVIDIA's management library (NVML, {@code libnvidia-ml.so.1}, shipped with the driver) through
 * JNA. It reads GPU names and memory without creating a CUDA context, so it costs no GPU memory
 * and leaves device selection to the training engine.
 *
 * <p>The library is loaded and initialised at most once, on first use, and shut down when the JVM
 * exits. Every method returns an empty or unknown value instead of throwing.
 */
final class Nvml {

    private static final Logger logger = LoggerFactory.getLogger(Nvml.class);

    private static final int NVML_SUCCESS = 0;
    /** {@code NVML_DEVICE_NAME_V2_BUFFER_SIZE}. */
    private static final int NAME_BUFFER_SIZE = 96;

    /** The NVML functions used, as JNA maps them. */
    interface Library extends com.sun.jna.Library {

        int nvmlInit_v2();

        int nvmlShutdown();

        int nvmlDeviceGetCount_v2(IntByReference deviceCount);

        int nvmlDeviceGetHandleByIndex_v2(int index, PointerByReference device);

        int nvmlDeviceGetHandleByUUID(String uuid, PointerByReference device);

        int nvmlDeviceGetName(Pointer device, byte[] name, int length);

        /**
         * Fills {@code nvmlMemory_t}, three {@code unsigned long long}s: total, free, used bytes. A
         * {@code long[3]} has the same layout.
         */
        int nvmlDeviceGetMemoryInfo(Pointer device, long[] memory);
    }

    /**
     * One device's memory, device-wide, in bytes.
     *
     * @param total the memory on the device
     * @param free the memory no process holds
     */
    record Memory(long total, long free) {

        /**
         * Returns the memory not free: what every process, the driver and its reservations hold.
         *
         * @return {@code total - free}
         */
        long notFree() {
            return total - free;
        }
    }

    private final Library lib;

    private Nvml(Library lib) {
        this.lib = lib;
    }

    /**
     * Returns NVML, loading and initialising it on the first call.
     *
     * @return NVML, or empty where the library is missing or does not initialise (no NVIDIA driver)
     */
    static Optional<Nvml> instance() {
        return Optional.ofNullable(Holder.INSTANCE);
    }

    /**
     * Returns how many GPUs NVML sees, every one on the machine (or in the container), whatever
     * {@code CUDA_VISIBLE_DEVICES} says.
     *
     * @return the count, or {@code -1} if it cannot be read
     */
    int deviceCount() {
        try {
            IntByReference count = new IntByReference();
            return lib.nvmlDeviceGetCount_v2(count) == NVML_SUCCESS ? count.getValue() : -1;
        } catch (RuntimeException | LinkageError e) {
            return -1;
        }
    }

    /**
     * Returns the handle of the device at an NVML index (PCI bus order).
     *
     * @param index the NVML index
     * @return the handle, or empty if it cannot be had (no such device, no permission)
     */
    Optional<Pointer> handleByIndex(int index) {
        try {
            PointerByReference handle = new PointerByReference();
            return lib.nvmlDeviceGetHandleByIndex_v2(index, handle) == NVML_SUCCESS
                    ? Optional.ofNullable(handle.getValue())
                    : Optional.empty();
        } catch (RuntimeException | LinkageError e) {
            return Optional.empty();
        }
    }

    /**
     * Returns the handle of the device with a UUID.
     *
     * @param uuid the full UUID, such as {@code GPU-5b8f...}
     * @return the handle, or empty if no device has that UUID
     */
    Optional<Pointer> handleByUuid(String uuid) {
        try {
            PointerByReference handle = new PointerByReference();
            return lib.nvmlDeviceGetHandleByUUID(uuid, handle) == NVML_SUCCESS
                    ? Optional.ofNullable(handle.getValue())
                    : Optional.empty();
        } catch (RuntimeException | LinkageError e) {
            return Optional.empty();
        }
    }

    /**
     * Returns the device's product name, such as {@code "NVIDIA H100 80GB HBM3"}.
     *
     * @param device the handle
     * @return the name, or {@code "unknown"}
     */
    String name(Pointer device) {
        try {
            byte[] buffer = new byte[NAME_BUFFER_SIZE];
            if (lib.nvmlDeviceGetName(device, buffer, buffer.length) != NVML_SUCCESS) {
                return "unknown";
            }
            int end = 0;
            while (end < buffer.length && buffer[end] != 0) {
                end++;
            }
            String name = new String(buffer, 0, end, StandardCharsets.UTF_8).strip();
            return name.isEmpty() ? "unknown" : name;
        } catch (RuntimeException | LinkageError e) {
            return "unknown";
        }
    }

    /**
     * Returns the device's memory, device-wide.
     *
     * @param device the handle
     * @return the memory, or empty if it cannot be read
     */
    Optional<Memory> memory(Pointer device) {
        try {
            long[] memory = new long[3];
            if (lib.nvmlDeviceGetMemoryInfo(device, memory) != NVML_SUCCESS
                    || memory[0] <= 0
                    || memory[1] < 0
                    || memory[1] > memory[0]) {
                return Optional.empty();
            }
            return Optional.of(new Memory(memory[0], memory[1]));
        } catch (RuntimeException | LinkageError e) {
            return Optional.empty();
        }
    }

    private static Nvml load() {
        List<String> names = Platform.isWindows() ? List.of("nvml") : List.of("libnvidia-ml.so.1", "nvidia-ml");
        for (String name : names) {
            try {
                Library lib = Native.load(name, Library.class);
                int status = lib.nvmlInit_v2();
                if (status != NVML_SUCCESS) {
                    logger.debug("NVML ({}) did not initialise: status {}", name, status);
                    return null;
                }
                shutDownAtExit(lib);
                return new Nvml(lib);
            } catch (RuntimeException | LinkageError e) {
                // UnsatisfiedLinkError where there is no NVIDIA driver: the normal case off GPUs.
                logger.debug("NVML not loaded as {}: {}", name, e.toString());
            }
        }
        return null;
    }

    private static void shutDownAtExit(Library lib) {
        try {
            Runtime.getRuntime()
                    .addShutdownHook(new Thread(
                            () -> {
                                try {
                                    lib.nvmlShutdown();
                                } catch (RuntimeException | LinkageError e) {
                                    // The JVM is exiting; the driver cleans up after the process.
                                }
                            },
                            "autobatch-nvml-shutdown"));
        } catch (IllegalStateException | SecurityException e) {
            // Already shutting down: NVML's state ends with the process.
        }
    }

    /** Loads NVML once, on first use (the holder idiom: thread-safe and lazy). */
    private static final class Holder {
        static final Nvml INSTANCE = load();
    }
}
