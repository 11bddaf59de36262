/*
 * The two made-up GPUs that the fake NVML (fake_nvml.c) and the fake CUDA driver (fake_cuda.c)
 * both describe: models that differ, so that CUDA's default fastest-first order differs from
 * NVML's PCI bus order, as on a machine with mixed GPUs.
 *
 *   NVML index 0: "NVIDIA A10",            PCI 00000000:17:00.0, 24 GiB (the slower one)
 *   NVML index 1: "NVIDIA H100 80GB HBM3", PCI 00000000:65:00.0, 80 GiB (the faster one)
 *
 * CUDA's fastest-first order therefore lists the H100 first. Tests in
 * src/test/java/dev/autobatch/autotune/hardware/FakeGpu*Test.java rely on these values.
 */
#ifndef FAKE_GPUS_H
#define FAKE_GPUS_H

#define FAKE_GPU_COUNT 2
#define FAKE_GIB (1024ULL * 1024ULL * 1024ULL)

struct fake_gpu {
    const char *name;
    const char *uuid;
    unsigned int domain;
    unsigned int bus;
    unsigned int device;
    unsigned long long total;
    unsigned long long initial_used;
};

static const struct fake_gpu FAKE_GPUS[FAKE_GPU_COUNT] = {
    {"NVIDIA A10", "GPU-a10a10a1-0000-4000-8000-000000000017", 0, 0x17, 0, 24 * FAKE_GIB, 512ULL << 20},
    {"NVIDIA H100 80GB HBM3", "GPU-b100b100-0000-4000-8000-000000000065", 0, 0x65, 0, 80 * FAKE_GIB, 1 * FAKE_GIB},
};

#endif
