package dev.autobatch.autotune.probe;

import java.util.ArrayList;
import java.util.List;

/**
 * What {@code CUDA_VISIBLE_DEVICES} selects, in CUDA's order: DJL's {@code Device.gpu(i)} is the
 * {@code i}-th entry, while NVML numbers every GPU on the machine. Reading this maps one to the
 * other.
 *
 * <p>As CUDA reads it: comma-separated entries, each an index (counting in CUDA's order over all
 * GPUs, see {@link CudaDeviceOrder}) or a UUID or unique prefix of one ({@code GPU-...}); the list
 * ends at the first entry that is neither (so {@code "-1"} or {@code ""} hides every GPU). MIG
 * instances ({@code MIG-...}) are no NVML device, so NVML cannot read them. {@link CudaToNvml}
 * turns the entries into NVML indexes.
 *
 * @param all whether the variable is unset, so every GPU is visible in NVML's order
 * @param entries the entries before the first invalid one, in CUDA's order; empty when {@code
 *     all}
 * @param mappable whether every entry can be looked up in NVML (no MIG instance)
 */
record CudaVisibleDevices(boolean all, List<String> entries, boolean mappable) {

    /** Copies the entries. */
    CudaVisibleDevices {
        entries = List.copyOf(entries);
    }

    /**
     * Reads this process's {@code CUDA_VISIBLE_DEVICES}.
     *
     * @return the selection; every GPU when the variable is unset
     */
    static CudaVisibleDevices fromEnvironment() {
        return parse(System.getenv("CUDA_VISIBLE_DEVICES"));
    }

    /**
     * Parses a value of {@code CUDA_VISIBLE_DEVICES}.
     *
     * @param value the value, or {@code null} when unset
     * @return the selection
     */
    static CudaVisibleDevices parse(String value) {
        if (value == null) {
            return new CudaVisibleDevices(true, List.of(), true);
        }
        List<String> entries = new ArrayList<>();
        boolean mappable = true;
        for (String raw : value.split(",", -1)) {
            String entry = raw.strip();
            if (isIndex(entry) || entry.startsWith("GPU-")) {
                entries.add(entry);
            } else if (entry.startsWith("MIG-")) {
                entries.add(entry);
                mappable = false;
            } else {
                break;
            }
        }
        return new CudaVisibleDevices(false, entries, mappable);
    }

    /**
     * Returns whether an entry is an index (digits only) rather than a UUID.
     *
     * @param entry one entry
     * @return {@code true} for an index
     */
    static boolean isIndex(String entry) {
        return !entry.isEmpty() && entry.length() < 10 && entry.chars().allMatch(Character::isDigit);
    }
}
