package dev.autobatch.autotune.probe;

import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.PointerByReference;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * NVIDIA's management library (NVML, {@code libnvidia-ml.so.1}, shipped with the driver) through
 * JNA. It reads GPU names, UUIDs, PCI bus ids, memory and per-process memory without creating a
 * CUDA context, so it costs no GPU memory and leaves device selection to the training engine.
 *
 * <p>The library is loaded and initialised at most once, on first use, and shut down when the JVM
 * exits. JNA looks for it on {@code jna.library.path} first, which is how the tests load a
 * stand-in compiled from {@code src/test/c/fake_nvml.c}. Every method returns an empty or unknown
 * value instead of throwing.
 */
final class Nvml implements GpuManagement {

    private static final Logger logger = LoggerFactory.getLogger(Nvml.class);

    private static final int NVML_SUCCESS = 0;
    private static final int NVML_ERROR_INSUFFICIENT_SIZE = 7;
    /** {@code NVML_DEVICE_NAME_V2_BUFFER_SIZE} and {@code NVML_DEVICE_UUID_V2_BUFFER_SIZE}. */
    private static final int TEXT_BUFFER_SIZE = 96;
    /**
     * {@code sizeof(nvmlPciInfo_t)}: {@code char busIdLegacy[16]}, five {@code unsigned int}s
     * (domain, bus, device, pciDeviceId, pciSubSystemId), {@code char busId[32]}.
     */
    private static final int PCI_INFO_SIZE = 68;
    /**
     * {@code sizeof(nvmlProcessInfo_t)} of the {@code _v3} call: {@code unsigned int pid}, 4 bytes
     * of padding, {@code unsigned long long usedGpuMemory}, two {@code unsigned int} instance ids.
     */
    private static final int PROCESS_INFO_SIZE = 24;
    /** {@code NVML_VALUE_NOT_AVAILABLE}: {@code usedGpuMemory} of a process NVML cannot account. */
    private static final long VALUE_NOT_AVAILABLE = -1L;
    /** Processes may start between the call that counts them and the one that lists them. */
    private static final int PROCESS_LIST_ATTEMPTS = 3;

    /** The NVML functions used, as JNA maps them. */
    interface Library extends com.sun.jna.Library {

        int nvmlInit_v2();

        int nvmlShutdown();

        int nvmlDeviceGetCount_v2(IntByReference deviceCount);

        int nvmlDeviceGetHandleByIndex_v2(int index, PointerByReference device);

        int nvmlDeviceGetName(Pointer device, byte[] name, int length);

        int nvmlDeviceGetUUID(Pointer device, byte[] uuid, int length);

        /** Fills {@code nvmlPciInfo_t} ({@value #PCI_INFO_SIZE} bytes). */
        int nvmlDeviceGetPciInfo_v3(Pointer device, byte[] pci);

        /**
         * Fills {@code nvmlMemory_t}, three {@code unsigned long long}s: total, free, used bytes. A
         * {@code long[3]} has the same layout.
         */
        int nvmlDeviceGetMemoryInfo(Pointer device, long[] memory);

        /** Lists the compute processes ({@code nvmlProcessInfo_t}, {@value #PROCESS_INFO_SIZE} bytes each). */
        int nvmlDeviceGetComputeRunningProcesses_v3(Pointer device, IntByReference infoCount, Pointer infos);
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

    @Override
    public int deviceCount() {
        try {
            IntByReference count = new IntByReference();
            return lib.nvmlDeviceGetCount_v2(count) == NVML_SUCCESS ? count.getValue() : -1;
        } catch (RuntimeException | LinkageError e) {
            return -1;
        }
    }

    @Override
    public String name(int index) {
        return handle(index)
                .flatMap(h -> text(buffer -> lib.nvmlDeviceGetName(h, buffer, buffer.length)))
                .orElse(HardwareSnapshot.UNKNOWN);
    }

    @Override
    public Optional<String> uuid(int index) {
        return handle(index).flatMap(h -> text(buffer -> lib.nvmlDeviceGetUUID(h, buffer, buffer.length)));
    }

    @Override
    public Optional<PciBusId> pciBusId(int index) {
        try {
            Optional<Pointer> handle = handle(index);
            byte[] pci = new byte[PCI_INFO_SIZE];
            if (handle.isEmpty() || lib.nvmlDeviceGetPciInfo_v3(handle.get(), pci) != NVML_SUCCESS) {
                return Optional.empty();
            }
            // The numeric fields, not the busId text: their meaning does not depend on formatting.
            ByteBuffer fields = ByteBuffer.wrap(pci).order(ByteOrder.nativeOrder());
            long domain = Integer.toUnsignedLong(fields.getInt(16));
            int bus = fields.getInt(20);
            int device = fields.getInt(24);
            return Optional.of(new PciBusId(domain, bus, device));
        } catch (RuntimeException | LinkageError e) {
            return Optional.empty();
        }
    }

    @Override
    public Optional<Memory> memory(int index) {
        try {
            Optional<Pointer> handle = handle(index);
            long[] memory = new long[3];
            if (handle.isEmpty()
                    || lib.nvmlDeviceGetMemoryInfo(handle.get(), memory) != NVML_SUCCESS
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

    /**
     * {@inheritDoc}
     *
     * <p>Reads {@code nvmlDeviceGetComputeRunningProcesses_v3} (drivers from 510 on); an older
     * driver lacks it, and the answer is empty.
     */
    @Override
    public OptionalLong processUsedBytes(int index, long pid) {
        try {
            Optional<Pointer> handle = handle(index);
            if (handle.isEmpty()) {
                return OptionalLong.empty();
            }
            IntByReference count = new IntByReference(0);
            int status = lib.nvmlDeviceGetComputeRunningProcesses_v3(handle.get(), count, null);
            for (int attempt = 0;
                    status == NVML_ERROR_INSUFFICIENT_SIZE && attempt < PROCESS_LIST_ATTEMPTS;
                    attempt++) {
                int room = count.getValue() + 4;
                com.sun.jna.Memory infos = new com.sun.jna.Memory((long) room * PROCESS_INFO_SIZE);
                count.setValue(room);
                status = lib.nvmlDeviceGetComputeRunningProcesses_v3(handle.get(), count, infos);
                if (status == NVML_SUCCESS) {
                    return sumOf(infos, count.getValue(), pid);
                }
            }
            return OptionalLong.empty();
        } catch (RuntimeException | LinkageError e) {
            return OptionalLong.empty();
        }
    }

    /** A process can be listed once per MIG instance it uses: its memory is the sum. */
    private static OptionalLong sumOf(Pointer infos, int count, long pid) {
        long sum = 0;
        boolean found = false;
        for (int i = 0; i < count; i++) {
            long offset = (long) i * PROCESS_INFO_SIZE;
            if (Integer.toUnsignedLong(infos.getInt(offset)) != pid) {
                continue;
            }
            long used = infos.getLong(offset + 8);
            if (used == VALUE_NOT_AVAILABLE || used < 0) {
                return OptionalLong.empty();
            }
            sum += used;
            found = true;
        }
        return found ? OptionalLong.of(sum) : OptionalLong.empty();
    }

    private Optional<Pointer> handle(int index) {
        if (index < 0) {
            return Optional.empty();
        }
        try {
            PointerByReference handle = new PointerByReference();
            return lib.nvmlDeviceGetHandleByIndex_v2(index, handle) == NVML_SUCCESS
                    ? Optional.ofNullable(handle.getValue())
                    : Optional.empty();
        } catch (RuntimeException | LinkageError e) {
            return Optional.empty();
        }
    }

    /** One NVML call that fills a text buffer and returns its status. */
    private interface TextCall {
        int fill(byte[] buffer);
    }

    private static Optional<String> text(TextCall call) {
        try {
            byte[] buffer = new byte[TEXT_BUFFER_SIZE];
            if (call.fill(buffer) != NVML_SUCCESS) {
                return Optional.empty();
            }
            String text = cString(buffer).strip();
            return text.isEmpty() ? Optional.empty() : Optional.of(text);
        } catch (RuntimeException | LinkageError e) {
            return Optional.empty();
        }
    }

    /**
     * Reads a NUL-terminated C string from a buffer a native call filled.
     *
     * @param buffer the buffer
     * @return the text before the first NUL (all of it where there is none), as UTF-8
     */
    static String cString(byte[] buffer) {
        int end = 0;
        while (end < buffer.length && buffer[end] != 0) {
            end++;
        }
        return new String(buffer, 0, end, StandardCharsets.UTF_8);
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
