package dev.autobatch.autotune.probe;

/**
 * How CUDA numbers GPUs, from {@code CUDA_DEVICE_ORDER}: fastest first by default, or in PCI bus
 * order (NVML's) when the variable is {@code PCI_BUS_ID}. The indexes in {@code
 * CUDA_VISIBLE_DEVICES} count in this order.
 */
enum CudaDeviceOrder {
    /**
     * CUDA's default: the GPU it guesses fastest first. The CUDA documentation leaves the order of
     * the rest unspecified; on GPUs of one model it is PCI bus order in practice.
     */
    FASTEST_FIRST,
    /** PCI bus order, the order NVML numbers GPUs in. */
    PCI_BUS_ID;

    /**
     * Reads this process's {@code CUDA_DEVICE_ORDER}.
     *
     * @return the order
     */
    static CudaDeviceOrder fromEnvironment() {
        return parse(System.getenv("CUDA_DEVICE_ORDER"));
    }

    /**
     * Parses a value of {@code CUDA_DEVICE_ORDER} as CUDA does: {@code PCI_BUS_ID} selects PCI
     * order, anything else (unset included) the default.
     *
     * @param value the value, or {@code null} when unset
     * @return the order
     */
    static CudaDeviceOrder parse(String value) {
        return value != null && value.strip().equals("PCI_BUS_ID") ? PCI_BUS_ID : FASTEST_FIRST;
    }
}
