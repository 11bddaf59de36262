package dev.autobatch.autotune.probe;

import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.ptr.IntByReference;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The CUDA driver library ({@code libcuda.so.1}, shipped with the NVIDIA driver) through JNA,
 * asked one thing: the PCI bus id of each GPU in CUDA's own order. The driver has applied {@code
 * CUDA_VISIBLE_DEVICES} (indexes, UUIDs and their prefixes) and {@code CUDA_DEVICE_ORDER} itself,
 * fastest-first guess included, so matching these bus ids with NVML's resolves CUDA's numbering
 * instead of assuming it.
 *
 * <p>It calls {@code cuInit}, which starts the driver API in this process but creates no CUDA
 * context, so it takes no GPU memory; the training engine calls it anyway. The library is loaded
 * at most once; where it is missing, every answer is empty. Never throws.
 */
final class CudaDriver implements CudaDevices {

    private static final Logger logger = LoggerFactory.getLogger(CudaDriver.class);

    private static final int CUDA_SUCCESS = 0;
    private static final int CUDA_ERROR_NO_DEVICE = 100;
    /** Room for {@code "00000000:00:00.0"} and its terminator; CUDA asks for at least 13. */
    private static final int BUS_ID_BUFFER_SIZE = 32;

    /** The CUDA driver functions used, as JNA maps them ({@code CUdevice} is an {@code int}). */
    interface Library extends com.sun.jna.Library {

        int cuInit(int flags);

        int cuDeviceGetCount(IntByReference count);

        int cuDeviceGet(IntByReference device, int ordinal);

        int cuDeviceGetPCIBusId(byte[] pciBusId, int length, int device);
    }

    private final Library lib;

    private CudaDriver(Library lib) {
        this.lib = lib;
    }

    /**
     * Returns the CUDA driver, loading it on the first call.
     *
     * @return the driver, or {@link CudaDevices#UNKNOWN} where the library is missing
     */
    static CudaDevices instance() {
        CudaDriver driver = Holder.INSTANCE;
        return driver == null ? CudaDevices.UNKNOWN : driver;
    }

    /**
     * Returns each GPU's PCI bus id in CUDA's order.
     *
     * @return the bus ids (none where CUDA hides every GPU), or empty where the driver does not
     *     initialise or a bus id cannot be read
     */
    @Override
    public Optional<List<PciBusId>> visiblePciBusIds() {
        try {
            int status = lib.cuInit(0);
            if (status == CUDA_ERROR_NO_DEVICE) {
                // What CUDA_VISIBLE_DEVICES=-1 (or a list of no valid entry) leads to.
                return Optional.of(List.of());
            }
            if (status != CUDA_SUCCESS) {
                logger.debug("cuInit failed: CUDA status {}", status);
                return Optional.empty();
            }
            IntByReference count = new IntByReference();
            if (lib.cuDeviceGetCount(count) != CUDA_SUCCESS || count.getValue() < 0) {
                return Optional.empty();
            }
            List<PciBusId> ids = new ArrayList<>(count.getValue());
            for (int ordinal = 0; ordinal < count.getValue(); ordinal++) {
                Optional<PciBusId> id = busId(ordinal);
                if (id.isEmpty()) {
                    return Optional.empty();
                }
                ids.add(id.get());
            }
            return Optional.of(List.copyOf(ids));
        } catch (RuntimeException | LinkageError e) {
            logger.debug("The CUDA driver could not be asked for its devices: {}", e.toString());
            return Optional.empty();
        }
    }

    private Optional<PciBusId> busId(int ordinal) {
        IntByReference device = new IntByReference();
        if (lib.cuDeviceGet(device, ordinal) != CUDA_SUCCESS) {
            return Optional.empty();
        }
        byte[] buffer = new byte[BUS_ID_BUFFER_SIZE];
        if (lib.cuDeviceGetPCIBusId(buffer, buffer.length, device.getValue()) != CUDA_SUCCESS) {
            return Optional.empty();
        }
        return PciBusId.parse(Nvml.cString(buffer));
    }

    private static CudaDriver load() {
        String name = Platform.isWindows() ? "nvcuda" : "libcuda.so.1";
        try {
            return new CudaDriver(Native.load(name, Library.class));
        } catch (RuntimeException | LinkageError e) {
            // UnsatisfiedLinkError where there is no NVIDIA driver: the normal case off GPUs.
            logger.debug("The CUDA driver was not loaded as {}: {}", name, e.toString());
            return null;
        }
    }

    /** Loads the library once, on first use (the holder idiom: thread-safe and lazy). */
    private static final class Holder {
        static final CudaDriver INSTANCE = load();
    }
}
