/*
 * A stand-in for NVIDIA's management library (libnvidia-ml.so.1), so that the real JNA binding
 * (dev.autobatch.autotune.hardware.Nvml) can be tested on a machine without a GPU. It implements
 * the few NVML functions that binding calls, with NVML's signatures and struct layouts, for the
 * two GPUs of fake_gpus.h, plus fake_nvml_* functions through which tests change what the
 * devices report (memory in use, compute processes).
 *
 * Built by autotune/pom.xml (profile fake-gpu, where gcc exists) into target/fake-gpu/.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "fake_gpus.h"

#define NVML_SUCCESS 0
#define NVML_ERROR_UNINITIALIZED 1
#define NVML_ERROR_INVALID_ARGUMENT 2
#define NVML_ERROR_NOT_FOUND 6
#define NVML_ERROR_INSUFFICIENT_SIZE 7

#define MAX_PROCESSES 8

typedef struct fake_device *nvmlDevice_t;

/* nvml.h's nvmlMemory_t. */
typedef struct {
    unsigned long long total;
    unsigned long long free;
    unsigned long long used;
} nvmlMemory_t;

/* nvml.h's nvmlPciInfo_t, as nvmlDeviceGetPciInfo_v3 fills it (68 bytes). */
typedef struct {
    char busIdLegacy[16];
    unsigned int domain;
    unsigned int bus;
    unsigned int device;
    unsigned int pciDeviceId;
    unsigned int pciSubSystemId;
    char busId[32];
} nvmlPciInfo_t;

/* nvml.h's nvmlProcessInfo_t of nvmlDeviceGetComputeRunningProcesses_v3 (24 bytes). */
typedef struct {
    unsigned int pid;
    unsigned long long usedGpuMemory;
    unsigned int gpuInstanceId;
    unsigned int computeInstanceId;
} nvmlProcessInfo_t;

struct fake_device {
    unsigned long long used;
    unsigned int process_count;
    unsigned int pids[MAX_PROCESSES];
    unsigned long long process_used[MAX_PROCESSES];
};

static struct fake_device devices[FAKE_GPU_COUNT];
static int initialised;

static int index_of(nvmlDevice_t device) {
    for (int i = 0; i < FAKE_GPU_COUNT; i++) {
        if (device == &devices[i]) {
            return i;
        }
    }
    return -1;
}

/* Copies text into an NVML output buffer, failing as NVML does when it does not fit. */
static int copy_text(const char *text, char *buffer, unsigned int length) {
    if (buffer == NULL) {
        return NVML_ERROR_INVALID_ARGUMENT;
    }
    if (strlen(text) + 1 > length) {
        return NVML_ERROR_INSUFFICIENT_SIZE;
    }
    memcpy(buffer, text, strlen(text) + 1);
    return NVML_SUCCESS;
}

/* Test control: every device back to fake_gpus.h's memory in use and no compute process. */
void fake_nvml_reset(void) {
    for (int i = 0; i < FAKE_GPU_COUNT; i++) {
        devices[i].used = FAKE_GPUS[i].initial_used;
        devices[i].process_count = 0;
    }
}

/* Test control: the memory in use on a device, every process and the driver together. */
int fake_nvml_set_used(unsigned int index, unsigned long long used) {
    if (index >= FAKE_GPU_COUNT || used > FAKE_GPUS[index].total) {
        return NVML_ERROR_INVALID_ARGUMENT;
    }
    devices[index].used = used;
    return NVML_SUCCESS;
}

/*
 * Test control: a compute process on a device and the memory it holds; a pid listed already is
 * updated. The memory in use on the device is not changed (set it with fake_nvml_set_used).
 */
int fake_nvml_set_process(unsigned int index, unsigned int pid, unsigned long long used) {
    if (index >= FAKE_GPU_COUNT) {
        return NVML_ERROR_INVALID_ARGUMENT;
    }
    struct fake_device *d = &devices[index];
    for (unsigned int i = 0; i < d->process_count; i++) {
        if (d->pids[i] == pid) {
            d->process_used[i] = used;
            return NVML_SUCCESS;
        }
    }
    if (d->process_count == MAX_PROCESSES) {
        return NVML_ERROR_INSUFFICIENT_SIZE;
    }
    d->pids[d->process_count] = pid;
    d->process_used[d->process_count] = used;
    d->process_count++;
    return NVML_SUCCESS;
}

int nvmlInit_v2(void) {
    if (!initialised) {
        fake_nvml_reset();
    }
    initialised++;
    return NVML_SUCCESS;
}

int nvmlShutdown(void) {
    if (!initialised) {
        return NVML_ERROR_UNINITIALIZED;
    }
    initialised--;
    return NVML_SUCCESS;
}

int nvmlDeviceGetCount_v2(unsigned int *count) {
    if (!initialised) {
        return NVML_ERROR_UNINITIALIZED;
    }
    if (count == NULL) {
        return NVML_ERROR_INVALID_ARGUMENT;
    }
    *count = FAKE_GPU_COUNT;
    return NVML_SUCCESS;
}

int nvmlDeviceGetHandleByIndex_v2(unsigned int index, nvmlDevice_t *device) {
    if (!initialised) {
        return NVML_ERROR_UNINITIALIZED;
    }
    if (device == NULL || index >= FAKE_GPU_COUNT) {
        return NVML_ERROR_INVALID_ARGUMENT;
    }
    *device = &devices[index];
    return NVML_SUCCESS;
}

int nvmlDeviceGetName(nvmlDevice_t device, char *name, unsigned int length) {
    int i = index_of(device);
    if (!initialised) {
        return NVML_ERROR_UNINITIALIZED;
    }
    return i < 0 ? NVML_ERROR_INVALID_ARGUMENT : copy_text(FAKE_GPUS[i].name, name, length);
}

int nvmlDeviceGetUUID(nvmlDevice_t device, char *uuid, unsigned int length) {
    int i = index_of(device);
    if (!initialised) {
        return NVML_ERROR_UNINITIALIZED;
    }
    return i < 0 ? NVML_ERROR_INVALID_ARGUMENT : copy_text(FAKE_GPUS[i].uuid, uuid, length);
}

int nvmlDeviceGetPciInfo_v3(nvmlDevice_t device, nvmlPciInfo_t *pci) {
    int i = index_of(device);
    if (!initialised) {
        return NVML_ERROR_UNINITIALIZED;
    }
    if (i < 0 || pci == NULL) {
        return NVML_ERROR_INVALID_ARGUMENT;
    }
    memset(pci, 0, sizeof(*pci));
    pci->domain = FAKE_GPUS[i].domain;
    pci->bus = FAKE_GPUS[i].bus;
    pci->device = FAKE_GPUS[i].device;
    pci->pciDeviceId = 0x10de0000u | (unsigned int) i;
    snprintf(pci->busIdLegacy, sizeof(pci->busIdLegacy), "%04X:%02X:%02X.0",
             FAKE_GPUS[i].domain, FAKE_GPUS[i].bus, FAKE_GPUS[i].device);
    snprintf(pci->busId, sizeof(pci->busId), "%08X:%02X:%02X.0",
             FAKE_GPUS[i].domain, FAKE_GPUS[i].bus, FAKE_GPUS[i].device);
    return NVML_SUCCESS;
}

int nvmlDeviceGetMemoryInfo(nvmlDevice_t device, nvmlMemory_t *memory) {
    int i = index_of(device);
    if (!initialised) {
        return NVML_ERROR_UNINITIALIZED;
    }
    if (i < 0 || memory == NULL) {
        return NVML_ERROR_INVALID_ARGUMENT;
    }
    memory->total = FAKE_GPUS[i].total;
    memory->used = devices[i].used;
    memory->free = FAKE_GPUS[i].total - devices[i].used;
    return NVML_SUCCESS;
}

/* As NVML does: with too small a buffer, says how many entries are needed. */
int nvmlDeviceGetComputeRunningProcesses_v3(nvmlDevice_t device, unsigned int *count, nvmlProcessInfo_t *infos) {
    int i = index_of(device);
    if (!initialised) {
        return NVML_ERROR_UNINITIALIZED;
    }
    if (i < 0 || count == NULL) {
        return NVML_ERROR_INVALID_ARGUMENT;
    }
    struct fake_device *d = &devices[i];
    if (*count < d->process_count || (infos == NULL && d->process_count > 0)) {
        *count = d->process_count;
        return NVML_ERROR_INSUFFICIENT_SIZE;
    }
    for (unsigned int p = 0; p < d->process_count; p++) {
        infos[p].pid = d->pids[p];
        infos[p].usedGpuMemory = d->process_used[p];
        infos[p].gpuInstanceId = 0xFFFFFFFFu;
        infos[p].computeInstanceId = 0xFFFFFFFFu;
    }
    *count = d->process_count;
    return NVML_SUCCESS;
}
