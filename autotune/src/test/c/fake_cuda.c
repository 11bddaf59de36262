/*
 * A stand-in for the CUDA driver library (libcuda.so.1): the four functions through which
 * dev.autobatch.autotune.hardware.CudaDriver reads the order CUDA numbers GPUs in, for the two
 * GPUs of fake_gpus.h. The real driver applies CUDA_VISIBLE_DEVICES and CUDA_DEVICE_ORDER; this
 * one lists what a test sets with fake_cuda_set_visible (by default both GPUs, fastest first:
 * the H100, then the A10, the reverse of their PCI bus order).
 *
 * Built by autotune/pom.xml (profile fake-gpu, where gcc exists) into target/fake-gpu/.
 */
#include <stdio.h>
#include <string.h>

#include "fake_gpus.h"

#define CUDA_SUCCESS 0
#define CUDA_ERROR_INVALID_VALUE 1
#define CUDA_ERROR_NOT_INITIALIZED 3
#define CUDA_ERROR_NO_DEVICE 100
#define CUDA_ERROR_INVALID_DEVICE 101

static const int FASTEST_FIRST[FAKE_GPU_COUNT] = {1, 0};

static int visible[FAKE_GPU_COUNT] = {1, 0};
static int visible_count = FAKE_GPU_COUNT;
static int initialised;

/*
 * Test control: the GPUs CUDA shows, in its order, as fake_gpus.h indexes (NVML's), such as
 * {1, 0}; count 0 shows none (as CUDA_VISIBLE_DEVICES=-1 does). A negative count restores the
 * default, fastest first.
 */
int fake_cuda_set_visible(const int *indexes, int count) {
    if (count < 0) {
        memcpy(visible, FASTEST_FIRST, sizeof(visible));
        visible_count = FAKE_GPU_COUNT;
        return CUDA_SUCCESS;
    }
    if (count > FAKE_GPU_COUNT) {
        return CUDA_ERROR_INVALID_VALUE;
    }
    for (int i = 0; i < count; i++) {
        if (indexes[i] < 0 || indexes[i] >= FAKE_GPU_COUNT) {
            return CUDA_ERROR_INVALID_VALUE;
        }
        visible[i] = indexes[i];
    }
    visible_count = count;
    return CUDA_SUCCESS;
}

int cuInit(unsigned int flags) {
    if (flags != 0) {
        return CUDA_ERROR_INVALID_VALUE;
    }
    initialised = 1;
    return visible_count == 0 ? CUDA_ERROR_NO_DEVICE : CUDA_SUCCESS;
}

int cuDeviceGetCount(int *count) {
    if (!initialised) {
        return CUDA_ERROR_NOT_INITIALIZED;
    }
    if (count == NULL) {
        return CUDA_ERROR_INVALID_VALUE;
    }
    *count = visible_count;
    return CUDA_SUCCESS;
}

int cuDeviceGet(int *device, int ordinal) {
    if (!initialised) {
        return CUDA_ERROR_NOT_INITIALIZED;
    }
    if (device == NULL) {
        return CUDA_ERROR_INVALID_VALUE;
    }
    if (ordinal < 0 || ordinal >= visible_count) {
        return CUDA_ERROR_INVALID_DEVICE;
    }
    *device = ordinal;
    return CUDA_SUCCESS;
}

/* As the driver writes it: "[domain]:[bus]:[device].[function]", in hexadecimal. */
int cuDeviceGetPCIBusId(char *pciBusId, int length, int device) {
    if (!initialised) {
        return CUDA_ERROR_NOT_INITIALIZED;
    }
    if (device < 0 || device >= visible_count) {
        return CUDA_ERROR_INVALID_DEVICE;
    }
    if (pciBusId == NULL || length < 13) {
        return CUDA_ERROR_INVALID_VALUE;
    }
    const struct fake_gpu *gpu = &FAKE_GPUS[visible[device]];
    snprintf(pciBusId, (size_t) length, "%04x:%02x:%02x.0", gpu->domain, gpu->bus, gpu->device);
    return CUDA_SUCCESS;
}
