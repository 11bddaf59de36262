package dev.autobatch.autotune.probe;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds, for each GPU CUDA shows this process ({@code Device.gpu(i)}, what DJL trains on), NVML's
 * index of the same GPU, so that its memory is read from the right device. NVML numbers every GPU
 * of the machine in PCI bus order; CUDA numbers the visible ones, fastest first unless {@code
 * CUDA_DEVICE_ORDER=PCI_BUS_ID}. On a machine with mixed models the two orders differ, and
 * assuming them equal reads another GPU's memory without a sign.
 *
 * <p>The order is resolved, not assumed:
 *
 * <ol>
 *   <li>Where {@code CUDA_VISIBLE_DEVICES} names MIG instances, no NVML device is the instance,
 *       and NVML does not answer (CUDA's runtime does, with the instance's memory).
 *   <li>Where the CUDA driver answers ({@link CudaDevices}), each CUDA device's PCI bus id is
 *       matched with NVML's: the driver applied the variables itself, its fastest-first guess
 *       included.
 *   <li>Without the driver, {@code CUDA_VISIBLE_DEVICES} is read as CUDA reads it. UUIDs (and
 *       unique prefixes of them) name GPUs exactly. Indexes and the unset variable count in CUDA's
 *       order, which NVML can tell only where it is NVML's own: under {@code
 *       CUDA_DEVICE_ORDER=PCI_BUS_ID}, or where every GPU is the same model (fastest-first has
 *       nothing to reorder; CUDA then keeps PCI order in practice). On mixed models under the
 *       default order the fastest GPU cannot be told from NVML; rather than guess, the mapping is
 *       refused with a warning and CUDA's runtime answers.
 * </ol>
 */
final class CudaToNvml {

    private static final Logger logger = LoggerFactory.getLogger(CudaToNvml.class);
    /** Warn once a run: the mapping is asked before every trial. */
    private static final AtomicBoolean warnedAmbiguous = new AtomicBoolean();

    private CudaToNvml() {}

    /**
     * Maps CUDA's GPUs to NVML indexes.
     *
     * @param nvml the machine's GPUs as NVML sees them
     * @param cuda CUDA's own list, or {@link CudaDevices#UNKNOWN}
     * @param visible what {@code CUDA_VISIBLE_DEVICES} selects
     * @param order what {@code CUDA_DEVICE_ORDER} says
     * @return the NVML index of {@code Device.gpu(i)} at position {@code i}, possibly none; empty
     *     where NVML cannot tell (MIG instances, a CUDA device NVML does not list, an unreadable
     *     device, a GPU named twice, fastest-first on mixed models without the CUDA driver), so that
     *     CUDA must answer
     */
    static Optional<List<Integer>> map(
            GpuManagement nvml, CudaDevices cuda, CudaVisibleDevices visible, CudaDeviceOrder order) {
        int count = nvml.deviceCount();
        if (count < 0 || !visible.mappable()) {
            return Optional.empty();
        }
        Optional<List<PciBusId>> cudaOrder = cuda.visiblePciBusIds();
        if (cudaOrder.isPresent()) {
            return byBusId(nvml, count, cudaOrder.get());
        }
        return byEnvironment(nvml, count, visible, order);
    }

    private static Optional<List<Integer>> byBusId(GpuManagement nvml, int count, List<PciBusId> cudaOrder) {
        List<PciBusId> nvmlIds = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            Optional<PciBusId> id = nvml.pciBusId(i);
            if (id.isEmpty()) {
                return Optional.empty();
            }
            nvmlIds.add(id.get());
        }
        List<Integer> indexes = new ArrayList<>(cudaOrder.size());
        for (PciBusId id : cudaOrder) {
            int index = nvmlIds.indexOf(id);
            if (index < 0) {
                logger.debug("CUDA's GPU at {} is not among NVML's {}", id, nvmlIds);
                return Optional.empty();
            }
            indexes.add(index);
        }
        return Optional.of(List.copyOf(indexes));
    }

    private static Optional<List<Integer>> byEnvironment(
            GpuManagement nvml, int count, CudaVisibleDevices visible, CudaDeviceOrder order) {
        boolean needsCudaOrder = visible.all() || visible.entries().stream().anyMatch(CudaVisibleDevices::isIndex);
        if (needsCudaOrder && !pciOrderIsCudaOrder(nvml, count, order)) {
            if (!warnedAmbiguous.getAndSet(true)) {
                logger.warn("The GPUs here differ in model and CUDA numbers them fastest first, an order NVML"
                        + " cannot tell, and the CUDA driver could not be asked: GPU memory is read through"
                        + " CUDA's runtime instead. Set CUDA_DEVICE_ORDER=PCI_BUS_ID, or name GPUs by UUID in"
                        + " CUDA_VISIBLE_DEVICES, to have NVML read it.");
            }
            return Optional.empty();
        }
        List<Integer> indexes = new ArrayList<>();
        if (visible.all()) {
            for (int i = 0; i < count; i++) {
                indexes.add(i);
            }
            return Optional.of(List.copyOf(indexes));
        }
        List<String> uuids = null;
        for (String entry : visible.entries()) {
            int index;
            if (CudaVisibleDevices.isIndex(entry)) {
                index = Integer.parseInt(entry);
            } else {
                if (uuids == null) {
                    uuids = uuids(nvml, count);
                    if (uuids == null) {
                        return Optional.empty();
                    }
                }
                index = uniquePrefix(uuids, entry);
            }
            // CUDA ends the list at an entry that names no GPU.
            if (index < 0 || index >= count) {
                break;
            }
            if (indexes.contains(index)) {
                // What CUDA makes of a GPU named twice is not documented: let CUDA answer.
                return Optional.empty();
            }
            indexes.add(index);
        }
        return Optional.of(List.copyOf(indexes));
    }

    /**
     * Whether CUDA's order over all GPUs is NVML's: by request, or because no GPU is faster than
     * another (one GPU, or every one the same model).
     */
    private static boolean pciOrderIsCudaOrder(GpuManagement nvml, int count, CudaDeviceOrder order) {
        if (order == CudaDeviceOrder.PCI_BUS_ID || count <= 1) {
            return true;
        }
        String first = nvml.name(0);
        if (first.equals(HardwareSnapshot.UNKNOWN)) {
            return false;
        }
        for (int i = 1; i < count; i++) {
            if (!nvml.name(i).equals(first)) {
                return false;
            }
        }
        return true;
    }

    /** Every GPU's UUID, or {@code null} if one cannot be read (a prefix could then match it). */
    private static List<String> uuids(GpuManagement nvml, int count) {
        List<String> uuids = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            Optional<String> uuid = nvml.uuid(i);
            if (uuid.isEmpty()) {
                return null;
            }
            uuids.add(uuid.get());
        }
        return uuids;
    }

    /** The one GPU whose UUID starts with the entry, as CUDA accepts it; {@code -1} for none or several. */
    private static int uniquePrefix(List<String> uuids, String entry) {
        int found = -1;
        for (int i = 0; i < uuids.size(); i++) {
            if (uuids.get(i).regionMatches(true, 0, entry, 0, entry.length())) {
                if (found >= 0) {
                    return -1;
                }
                found = i;
            }
        }
        return found;
    }
}
