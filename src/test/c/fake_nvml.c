/*
 * A stand-in for libnvidia-ml.so.1, so GPU Hot's NVML backend can be tested through JNA on
 * machines without an NVIDIA GPU. It exports the NVML entry points the backend calls, with the
 * signatures of nvml.h, and answers from a text file named by the FAKE_NVML_CONFIG environment
 * variable. The file is read again on every nvmlInit_v2, so each test writes its own file and
 * opens the backend anew; fake_nvml_set() changes one key while NVML stays initialised.
 *
 * Config format: one "key=value" per line, '#' starts a comment. Numbers accept C syntax
 * (decimal, 0x hex, a leading minus wraps as C unsigned conversion does). A value that is not
 * configured makes its query answer NVML_ERROR_NOT_SUPPORTED, so an old GPU is described by
 * leaving keys out. Return codes are written as NOT_SUPPORTED, NVML_ERROR_NOT_SUPPORTED or 3.
 *
 *   init.rc=LIB_RM_VERSION_MISMATCH      what nvmlInit_v2 returns
 *   driver_version=590.48.01
 *   gpu.count=2
 *   rc.<function>=CODE                   a system-level function's return code
 *   gpu.N.rc.<function>=CODE             one GPU's return code for a function
 *   gpu.N.rc.<function>.<arg>=CODE       ...only for one enum/index argument (clock type, link)
 *   gpu.N.lost=1                         every call on the GPU answers GPU_IS_LOST
 *   gpu.N.name=NVIDIA H100 80GB HBM3     or gpu.N.name_hex=F8 88 80 (raw bytes)
 *   gpu.N.uuid / serial / vbios / pci.bus_id
 *   gpu.N.brand / arch / cc.major / cc.minor / pstate / reasons / temp
 *   gpu.N.util.gpu / util.mem / enc.util / dec.util
 *   gpu.N.mem.total / mem.free / mem.used / mem.reserved   bytes, or with _mib suffix
 *   gpu.N.bar1.total / bar1.free / bar1.used               bytes, or with _mib suffix
 *   gpu.N.threshold.shutdown / slowdown / mem_max / gpu_max
 *   gpu.N.power.usage / limit / default_limit / min / max (mW), gpu.N.energy (mJ)
 *   gpu.N.fans=2, gpu.N.fan.0=30                           fan count and speeds (%)
 *   gpu.N.clock.graphics / sm / mem / video, gpu.N.max_clock.<same>   MHz
 *   gpu.N.pcie.gen / gen_max / width / width_max / tx / rx (KB/s)
 *   gpu.N.enc.sessions / enc.fps / enc.latency
 *   gpu.N.ecc.current / ecc.pending / ecc.corrected / ecc.uncorrected
 *   gpu.N.retired.sbe / retired.dbe / retired.pending
 *   gpu.N.persistence / compute_mode / display_active
 *   gpu.N.mig.current / mig.pending / mig.max
 *   gpu.N.mig.K.uuid / mig.K.gi / mig.K.ci / mig.K.mem_total_mib / mig.K.mem_used_mib / ...free
 *   gpu.N.nvlinks=18 (links 0..17 active), gpu.N.nvlink.L=0|1 (one link's state)
 *   gpu.N.proc.K.pid / proc.K.mem (bytes, or "na") / proc.K.mem_mib / proc.K.gi / proc.K.ci
 *   gpu.N.gproc.K.*                      the same for graphics processes
 *   gpu.N.proc.supported=0               process queries answer NOT_SUPPORTED (old GeForce)
 *   gpu.N.proc_stride=32                 bytes between entries written by the _v2/_v3 process
 *                                        queries (24 is right; 32 mimics a driver whose struct
 *                                        differs from the binding's, within the caller's buffer)
 *
 * Build variants (FAKE_API_LEVEL): 3 exports everything; 2 drops the _v3 process queries,
 * nvmlDeviceGetMemoryInfo_v2 and nvmlDeviceGetCurrentClocksEventReasons (a R470-era library);
 * 1 also drops the _v2 process queries (a R418-era library).
 *
 * Test hooks: fake_nvml_calls(fn), fake_nvml_gpu_calls(gpu, fn), fake_nvml_reset_counts(),
 * fake_nvml_init_depth(), fake_nvml_uninitialized_calls(), fake_nvml_set(key, value).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef FAKE_API_LEVEL
#define FAKE_API_LEVEL 3
#endif

/* ---- Declarations after nvml.h ------------------------------------------------------ */

typedef int nvmlReturn_t;

enum {
  NVML_SUCCESS = 0,
  NVML_ERROR_UNINITIALIZED = 1,
  NVML_ERROR_INVALID_ARGUMENT = 2,
  NVML_ERROR_NOT_SUPPORTED = 3,
  NVML_ERROR_NOT_FOUND = 6,
  NVML_ERROR_INSUFFICIENT_SIZE = 7,
  NVML_ERROR_GPU_IS_LOST = 15,
  NVML_ERROR_ARGUMENT_VERSION_MISMATCH = 25
};

typedef struct fake_handle *nvmlDevice_t;
typedef int nvmlBrandType_t;
typedef unsigned int nvmlDeviceArchitecture_t;
typedef int nvmlTemperatureSensors_t;
typedef int nvmlTemperatureThresholds_t;
typedef int nvmlClockType_t;
typedef int nvmlPstates_t;
typedef int nvmlPcieUtilCounter_t;
typedef int nvmlEnableState_t;
typedef int nvmlMemoryErrorType_t;
typedef int nvmlEccCounterType_t;
typedef int nvmlPageRetirementCause_t;
typedef int nvmlComputeMode_t;

typedef struct {
  unsigned long long total;
  unsigned long long free;
  unsigned long long used;
} nvmlMemory_t;

typedef struct {
  unsigned int version;
  unsigned long long total;
  unsigned long long reserved;
  unsigned long long free;
  unsigned long long used;
} nvmlMemory_v2_t;

typedef struct {
  unsigned long long bar1Total;
  unsigned long long bar1Free;
  unsigned long long bar1Used;
} nvmlBAR1Memory_t;

typedef struct {
  unsigned int gpu;
  unsigned int memory;
} nvmlUtilization_t;

typedef struct {
  char busIdLegacy[16];
  unsigned int domain;
  unsigned int bus;
  unsigned int device;
  unsigned int pciDeviceId;
  unsigned int pciSubSystemId;
  char busId[32];
} nvmlPciInfo_t;

typedef struct {
  unsigned int pid;
  unsigned long long usedGpuMemory;
} nvmlProcessInfo_v1_t;

typedef struct {
  unsigned int pid;
  unsigned long long usedGpuMemory;
  unsigned int gpuInstanceId;
  unsigned int computeInstanceId;
} nvmlProcessInfo_v2_t;

#define NVML_MEMORY_V2_VERSION ((unsigned int)(sizeof(nvmlMemory_v2_t) | (2u << 24)))

/* ---- The function table, for return-code overrides and call counts ------------------ */

#define FAKE_FUNCTIONS(X)                                                                   \
  X(nvmlInit_v2) X(nvmlShutdown) X(nvmlSystemGetDriverVersion) X(nvmlDeviceGetCount_v2)     \
  X(nvmlDeviceGetHandleByIndex_v2) X(nvmlDeviceGetName) X(nvmlDeviceGetUUID)                \
  X(nvmlDeviceGetSerial) X(nvmlDeviceGetVbiosVersion) X(nvmlDeviceGetBrand)                 \
  X(nvmlDeviceGetArchitecture) X(nvmlDeviceGetCudaComputeCapability)                       \
  X(nvmlDeviceGetPciInfo_v3) X(nvmlDeviceGetUtilizationRates)                              \
  X(nvmlDeviceGetEncoderUtilization) X(nvmlDeviceGetDecoderUtilization)                    \
  X(nvmlDeviceGetMemoryInfo) X(nvmlDeviceGetMemoryInfo_v2) X(nvmlDeviceGetBAR1MemoryInfo)   \
  X(nvmlDeviceGetTemperature) X(nvmlDeviceGetTemperatureThreshold)                         \
  X(nvmlDeviceGetPowerUsage) X(nvmlDeviceGetPowerManagementLimit)                          \
  X(nvmlDeviceGetPowerManagementDefaultLimit) X(nvmlDeviceGetPowerManagementLimitConstraints) \
  X(nvmlDeviceGetTotalEnergyConsumption) X(nvmlDeviceGetNumFans) X(nvmlDeviceGetFanSpeed)   \
  X(nvmlDeviceGetFanSpeed_v2) X(nvmlDeviceGetClockInfo) X(nvmlDeviceGetMaxClockInfo)        \
  X(nvmlDeviceGetPerformanceState) X(nvmlDeviceGetCurrentClocksEventReasons)               \
  X(nvmlDeviceGetCurrentClocksThrottleReasons) X(nvmlDeviceGetCurrPcieLinkGeneration)      \
  X(nvmlDeviceGetMaxPcieLinkGeneration) X(nvmlDeviceGetCurrPcieLinkWidth)                  \
  X(nvmlDeviceGetMaxPcieLinkWidth) X(nvmlDeviceGetPcieThroughput)                          \
  X(nvmlDeviceGetEncoderStats) X(nvmlDeviceGetEccMode) X(nvmlDeviceGetTotalEccErrors)       \
  X(nvmlDeviceGetRetiredPages) X(nvmlDeviceGetRetiredPagesPendingStatus)                   \
  X(nvmlDeviceGetPersistenceMode) X(nvmlDeviceGetComputeMode) X(nvmlDeviceGetDisplayActive) \
  X(nvmlDeviceGetMigMode) X(nvmlDeviceGetMaxMigDeviceCount)                                \
  X(nvmlDeviceGetMigDeviceHandleByIndex) X(nvmlDeviceGetGpuInstanceId)                     \
  X(nvmlDeviceGetComputeInstanceId) X(nvmlDeviceGetNvLinkState)                            \
  X(nvmlDeviceGetComputeRunningProcesses_v3) X(nvmlDeviceGetComputeRunningProcesses_v2)    \
  X(nvmlDeviceGetComputeRunningProcesses) X(nvmlDeviceGetGraphicsRunningProcesses_v3)      \
  X(nvmlDeviceGetGraphicsRunningProcesses_v2) X(nvmlDeviceGetGraphicsRunningProcesses)

#define AS_ENUM(name) FN_##name,
#define AS_NAME(name) #name,
enum { FAKE_FUNCTIONS(AS_ENUM) FN_COUNT };
static const char *const FN_NAMES[] = {FAKE_FUNCTIONS(AS_NAME)};

static const struct {
  const char *name;
  int code;
} RETURN_CODES[] = {
    {"SUCCESS", 0},
    {"UNINITIALIZED", 1},
    {"INVALID_ARGUMENT", 2},
    {"NOT_SUPPORTED", 3},
    {"NO_PERMISSION", 4},
    {"ALREADY_INITIALIZED", 5},
    {"NOT_FOUND", 6},
    {"INSUFFICIENT_SIZE", 7},
    {"INSUFFICIENT_POWER", 8},
    {"DRIVER_NOT_LOADED", 9},
    {"TIMEOUT", 10},
    {"IRQ_ISSUE", 11},
    {"LIBRARY_NOT_FOUND", 12},
    {"FUNCTION_NOT_FOUND", 13},
    {"CORRUPTED_INFOROM", 14},
    {"GPU_IS_LOST", 15},
    {"RESET_REQUIRED", 16},
    {"OPERATING_SYSTEM", 17},
    {"LIB_RM_VERSION_MISMATCH", 18},
    {"IN_USE", 19},
    {"MEMORY", 20},
    {"NO_DATA", 21},
    {"VGPU_ECC_NOT_SUPPORTED", 22},
    {"INSUFFICIENT_RESOURCES", 23},
    {"FREQ_NOT_SUPPORTED", 24},
    {"ARGUMENT_VERSION_MISMATCH", 25},
    {"DEPRECATED", 26},
    {"NOT_READY", 27},
    {"GPU_NOT_FOUND", 28},
    {"INVALID_STATE", 29},
    {"RESET_TYPE_NOT_SUPPORTED", 30},
    {"UNKNOWN", 999},
};

/* ---- The simulated machine ----------------------------------------------------------- */

#define MAX_GPUS 16
#define MAX_MIG 8
#define MAX_FANS 4
#define MAX_PROCS 64
#define MAX_LINKS 18
#define MAX_ARG 20
#define MIB 1048576ull

struct opt {
  int has;
  unsigned long long v;
};

struct text {
  int has;
  size_t len;
  unsigned char bytes[128];
};

struct proc {
  unsigned int pid;
  unsigned long long mem;
  unsigned int gi;
  unsigned int ci;
};

struct fake_handle {
  int gpu;
  int mig;
};

struct mig {
  int present;
  struct text uuid;
  struct opt gi, ci, mem_total, mem_free, mem_used;
};

struct gpu {
  int lost;
  struct text name, uuid, serial, vbios, bus_id;
  struct opt brand, arch, cc_major, cc_minor, pci_domain, pci_bus, pci_device, pci_device_id,
      pci_subsystem_id;
  struct opt util_gpu, util_mem, enc_util, dec_util;
  struct opt mem_total, mem_free, mem_used, mem_reserved, bar1_total, bar1_free, bar1_used;
  struct opt temp, thresholds[8];
  struct opt power_usage, power_limit, power_default_limit, power_min, power_max, energy;
  struct opt fans, fan[MAX_FANS];
  struct opt clock[4], max_clock[4];
  struct opt pstate, reasons;
  struct opt pcie_gen, pcie_gen_max, pcie_width, pcie_width_max, pcie_tx, pcie_rx;
  struct opt enc_sessions, enc_fps, enc_latency;
  struct opt ecc_current, ecc_pending, ecc_corrected, ecc_uncorrected;
  struct opt retired[2], retired_pending;
  struct opt persistence, compute_mode, display_active;
  struct opt mig_current, mig_pending, mig_max;
  struct mig migs[MAX_MIG];
  int has_nvlink;
  int nvlink[MAX_LINKS]; /* -1 absent, 0 inactive, 1 active */
  struct proc procs[MAX_PROCS], gprocs[MAX_PROCS];
  unsigned int nprocs, ngprocs;
  int procs_unsupported, gprocs_unsupported;
  unsigned int proc_stride;
};

struct kv {
  char *key;
  char *value;
};

static struct kv *config;
static int config_len;
static int config_cap;

static struct gpu gpus[MAX_GPUS];
static struct fake_handle gpu_handles[MAX_GPUS];
static struct fake_handle mig_handles[MAX_GPUS][MAX_MIG];
static unsigned int gpu_count;
static int init_rc;
static struct text driver_version;

static int init_depth;
static int uninitialized_calls;
static int calls[MAX_GPUS + 1][FN_COUNT];
static int rc_fn[MAX_GPUS + 1][FN_COUNT];
static int rc_arg[MAX_GPUS][FN_COUNT][MAX_ARG];

/* ---- Config parsing ------------------------------------------------------------------ */

static char *trim(char *s) {
  while (*s == ' ' || *s == '\t') {
    s++;
  }
  char *end = s + strlen(s);
  while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r' || end[-1] == '\n')) {
    *--end = 0;
  }
  return s;
}

static void config_clear(void) {
  for (int i = 0; i < config_len; i++) {
    free(config[i].key);
    free(config[i].value);
  }
  config_len = 0;
}

static void config_put(const char *key, const char *value) {
  for (int i = 0; i < config_len; i++) {
    if (strcmp(config[i].key, key) == 0) {
      free(config[i].value);
      config[i].value = strdup(value);
      return;
    }
  }
  if (config_len == config_cap) {
    config_cap = config_cap ? config_cap * 2 : 256;
    config = realloc(config, (size_t)config_cap * sizeof(*config));
  }
  config[config_len].key = strdup(key);
  config[config_len].value = strdup(value);
  config_len++;
}

static const char *config_get(const char *key) {
  for (int i = config_len - 1; i >= 0; i--) {
    if (strcmp(config[i].key, key) == 0) {
      return config[i].value;
    }
  }
  return NULL;
}

static void config_read(void) {
  config_clear();
  const char *path = getenv("FAKE_NVML_CONFIG");
  if (path == NULL || *path == 0) {
    return;
  }
  FILE *f = fopen(path, "r");
  if (f == NULL) {
    fprintf(stderr, "fake_nvml: cannot read FAKE_NVML_CONFIG=%s\n", path);
    return;
  }
  char line[4096];
  while (fgets(line, sizeof line, f) != NULL) {
    char *s = trim(line);
    char *eq = strchr(s, '=');
    if (*s == 0 || *s == '#' || eq == NULL) {
      continue;
    }
    *eq = 0;
    config_put(trim(s), trim(eq + 1));
  }
  fclose(f);
}

static int parse_rc(const char *s) {
  if (strncmp(s, "NVML_ERROR_", 11) == 0) {
    s += 11;
  } else if (strncmp(s, "NVML_", 5) == 0) {
    s += 5;
  }
  for (size_t i = 0; i < sizeof RETURN_CODES / sizeof RETURN_CODES[0]; i++) {
    if (strcmp(s, RETURN_CODES[i].name) == 0) {
      return RETURN_CODES[i].code;
    }
  }
  return (int)strtol(s, NULL, 0);
}

static int function_index(const char *name) {
  for (int i = 0; i < FN_COUNT; i++) {
    if (strcmp(FN_NAMES[i], name) == 0) {
      return i;
    }
  }
  return -1;
}

static int parse_number(const char *s, unsigned long long *out) {
  if (strcmp(s, "na") == 0) {
    *out = ~0ull;
    return 1;
  }
  char *end = NULL;
  *out = *s == '-' ? (unsigned long long)strtoll(s, &end, 0) : strtoull(s, &end, 0);
  return end != s;
}

/* Reads prefix+key, or prefix+key+"_mib" scaled to bytes. */
static void get_opt(const char *prefix, const char *key, struct opt *o) {
  char full[256];
  unsigned long long v;
  snprintf(full, sizeof full, "%s%s", prefix, key);
  const char *s = config_get(full);
  if (s != NULL && parse_number(s, &v)) {
    o->has = 1;
    o->v = v;
    return;
  }
  snprintf(full, sizeof full, "%s%s_mib", prefix, key);
  s = config_get(full);
  if (s != NULL && parse_number(s, &v)) {
    o->has = 1;
    o->v = v * MIB;
  }
}

static int hex_digit(char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return -1;
}

static void get_text(const char *prefix, const char *key, struct text *t) {
  char full[256];
  snprintf(full, sizeof full, "%s%s_hex", prefix, key);
  const char *s = config_get(full);
  if (s != NULL) {
    t->has = 1;
    t->len = 0;
    for (; *s && t->len < sizeof t->bytes - 1; s++) {
      int hi = hex_digit(s[0]);
      int lo = hi < 0 ? -1 : hex_digit(s[1]);
      if (lo >= 0) {
        t->bytes[t->len++] = (unsigned char)(hi * 16 + lo);
        s++;
      }
    }
    return;
  }
  snprintf(full, sizeof full, "%s%s", prefix, key);
  s = config_get(full);
  if (s != NULL) {
    t->has = 1;
    t->len = strlen(s) < sizeof t->bytes - 1 ? strlen(s) : sizeof t->bytes - 1;
    memcpy(t->bytes, s, t->len);
  }
}

static void load_procs(const char *prefix, const char *list, struct proc *out, unsigned *n) {
  char p[256];
  *n = 0;
  for (unsigned k = 0; k < MAX_PROCS; k++) {
    struct opt pid = {0, 0}, mem = {0, 0}, gi = {0, 0}, ci = {0, 0};
    snprintf(p, sizeof p, "%s%s.%u.", prefix, list, k);
    get_opt(p, "pid", &pid);
    if (!pid.has) {
      return;
    }
    get_opt(p, "mem", &mem);
    get_opt(p, "gi", &gi);
    get_opt(p, "ci", &ci);
    out[k].pid = (unsigned int)pid.v;
    out[k].mem = mem.has ? mem.v : ~0ull;
    out[k].gi = gi.has ? (unsigned int)gi.v : 0xFFFFFFFFu;
    out[k].ci = ci.has ? (unsigned int)ci.v : 0xFFFFFFFFu;
    *n = k + 1;
  }
}

static void load_migs(const char *prefix, struct gpu *g) {
  char p[256];
  for (int k = 0; k < MAX_MIG; k++) {
    struct mig *m = &g->migs[k];
    snprintf(p, sizeof p, "%smig.%d.", prefix, k);
    get_text(p, "uuid", &m->uuid);
    get_opt(p, "gi", &m->gi);
    get_opt(p, "ci", &m->ci);
    get_opt(p, "mem_total", &m->mem_total);
    get_opt(p, "mem_free", &m->mem_free);
    get_opt(p, "mem_used", &m->mem_used);
    m->present = m->uuid.has;
  }
}

static void load_nvlinks(const char *prefix, struct gpu *g) {
  struct opt all = {0, 0};
  char key[32];
  get_opt(prefix, "nvlinks", &all);
  for (int l = 0; l < MAX_LINKS; l++) {
    struct opt one = {0, 0};
    snprintf(key, sizeof key, "nvlink.%d", l);
    get_opt(prefix, key, &one);
    g->nvlink[l] = one.has ? (int)one.v : (all.has && (unsigned long long)l < all.v) ? 1 : -1;
    g->has_nvlink |= g->nvlink[l] >= 0;
  }
}

static void load_gpu(int i) {
  static const char *const CLOCKS[] = {"graphics", "sm", "mem", "video"};
  static const char *const THRESHOLDS[] = {"shutdown", "slowdown", "mem_max", "gpu_max"};
  struct gpu *g = &gpus[i];
  char prefix[32], key[64];
  struct opt lost = {0, 0}, stride = {0, 0};
  snprintf(prefix, sizeof prefix, "gpu.%d.", i);
  get_opt(prefix, "lost", &lost);
  g->lost = lost.has && lost.v != 0;
  get_text(prefix, "name", &g->name);
  get_text(prefix, "uuid", &g->uuid);
  get_text(prefix, "serial", &g->serial);
  get_text(prefix, "vbios", &g->vbios);
  get_text(prefix, "pci.bus_id", &g->bus_id);
  get_opt(prefix, "brand", &g->brand);
  get_opt(prefix, "arch", &g->arch);
  get_opt(prefix, "cc.major", &g->cc_major);
  get_opt(prefix, "cc.minor", &g->cc_minor);
  get_opt(prefix, "pci.domain", &g->pci_domain);
  get_opt(prefix, "pci.bus", &g->pci_bus);
  get_opt(prefix, "pci.device", &g->pci_device);
  get_opt(prefix, "pci.device_id", &g->pci_device_id);
  get_opt(prefix, "pci.subsystem_id", &g->pci_subsystem_id);
  get_opt(prefix, "util.gpu", &g->util_gpu);
  get_opt(prefix, "util.mem", &g->util_mem);
  get_opt(prefix, "enc.util", &g->enc_util);
  get_opt(prefix, "dec.util", &g->dec_util);
  get_opt(prefix, "mem.total", &g->mem_total);
  get_opt(prefix, "mem.free", &g->mem_free);
  get_opt(prefix, "mem.used", &g->mem_used);
  get_opt(prefix, "mem.reserved", &g->mem_reserved);
  get_opt(prefix, "bar1.total", &g->bar1_total);
  get_opt(prefix, "bar1.free", &g->bar1_free);
  get_opt(prefix, "bar1.used", &g->bar1_used);
  get_opt(prefix, "temp", &g->temp);
  for (int t = 0; t < 4; t++) {
    snprintf(key, sizeof key, "threshold.%s", THRESHOLDS[t]);
    get_opt(prefix, key, &g->thresholds[t]);
  }
  get_opt(prefix, "power.usage", &g->power_usage);
  get_opt(prefix, "power.limit", &g->power_limit);
  get_opt(prefix, "power.default_limit", &g->power_default_limit);
  get_opt(prefix, "power.min", &g->power_min);
  get_opt(prefix, "power.max", &g->power_max);
  get_opt(prefix, "energy", &g->energy);
  get_opt(prefix, "fans", &g->fans);
  for (int f = 0; f < MAX_FANS; f++) {
    snprintf(key, sizeof key, "fan.%d", f);
    get_opt(prefix, key, &g->fan[f]);
  }
  for (int c = 0; c < 4; c++) {
    snprintf(key, sizeof key, "clock.%s", CLOCKS[c]);
    get_opt(prefix, key, &g->clock[c]);
    snprintf(key, sizeof key, "max_clock.%s", CLOCKS[c]);
    get_opt(prefix, key, &g->max_clock[c]);
  }
  get_opt(prefix, "pstate", &g->pstate);
  get_opt(prefix, "reasons", &g->reasons);
  get_opt(prefix, "pcie.gen", &g->pcie_gen);
  get_opt(prefix, "pcie.gen_max", &g->pcie_gen_max);
  get_opt(prefix, "pcie.width", &g->pcie_width);
  get_opt(prefix, "pcie.width_max", &g->pcie_width_max);
  get_opt(prefix, "pcie.tx", &g->pcie_tx);
  get_opt(prefix, "pcie.rx", &g->pcie_rx);
  get_opt(prefix, "enc.sessions", &g->enc_sessions);
  get_opt(prefix, "enc.fps", &g->enc_fps);
  get_opt(prefix, "enc.latency", &g->enc_latency);
  get_opt(prefix, "ecc.current", &g->ecc_current);
  get_opt(prefix, "ecc.pending", &g->ecc_pending);
  get_opt(prefix, "ecc.corrected", &g->ecc_corrected);
  get_opt(prefix, "ecc.uncorrected", &g->ecc_uncorrected);
  get_opt(prefix, "retired.sbe", &g->retired[0]);
  get_opt(prefix, "retired.dbe", &g->retired[1]);
  get_opt(prefix, "retired.pending", &g->retired_pending);
  get_opt(prefix, "persistence", &g->persistence);
  get_opt(prefix, "compute_mode", &g->compute_mode);
  get_opt(prefix, "display_active", &g->display_active);
  get_opt(prefix, "mig.current", &g->mig_current);
  get_opt(prefix, "mig.pending", &g->mig_pending);
  get_opt(prefix, "mig.max", &g->mig_max);
  load_migs(prefix, g);
  load_nvlinks(prefix, g);
  load_procs(prefix, "proc", g->procs, &g->nprocs);
  load_procs(prefix, "gproc", g->gprocs, &g->ngprocs);
  struct opt supported = {0, 0};
  get_opt(prefix, "proc.supported", &supported);
  g->procs_unsupported = supported.has && supported.v == 0;
  supported.has = 0;
  get_opt(prefix, "gproc.supported", &supported);
  g->gprocs_unsupported = supported.has && supported.v == 0;
  get_opt(prefix, "proc_stride", &stride);
  g->proc_stride = stride.has ? (unsigned int)stride.v : (unsigned int)sizeof(nvmlProcessInfo_v2_t);
}

/* Parses "gpu.N.rc.<fn>[.<arg>]" or "rc.<fn>" into the override tables. */
static void load_override(const char *key, const char *value) {
  char fn[128];
  int gpu = -1;
  int used = 0;
  if (sscanf(key, "gpu.%d.rc.%n", &gpu, &used) == 1 && used > 0) {
    key += used;
  } else if (strncmp(key, "rc.", 3) == 0) {
    key += 3;
  } else {
    return;
  }
  snprintf(fn, sizeof fn, "%s", key);
  int arg = -1;
  char *dot = strrchr(fn, '.');
  if (dot != NULL) {
    arg = atoi(dot + 1);
    *dot = 0;
  }
  int f = function_index(fn);
  if (f < 0 || gpu >= MAX_GPUS || (*value == 0)) {
    return;
  }
  int rc = parse_rc(value);
  if (gpu >= 0 && arg >= 0 && arg < MAX_ARG) {
    rc_arg[gpu][f][arg] = rc;
  } else {
    rc_fn[gpu + 1][f] = rc;
  }
}

static void config_apply(void) {
  struct opt count = {0, 0};
  memset(gpus, 0, sizeof gpus);
  memset(rc_fn, 0xFF, sizeof rc_fn);
  memset(rc_arg, 0xFF, sizeof rc_arg);
  memset(&driver_version, 0, sizeof driver_version);
  const char *init = config_get("init.rc");
  init_rc = init == NULL ? NVML_SUCCESS : parse_rc(init);
  get_text("", "driver_version", &driver_version);
  get_opt("", "gpu.count", &count);
  gpu_count = count.has && count.v <= MAX_GPUS ? (unsigned int)count.v : 0;
  for (int i = 0; i < MAX_GPUS; i++) {
    gpu_handles[i].gpu = i;
    gpu_handles[i].mig = -1;
    for (int k = 0; k < MAX_MIG; k++) {
      mig_handles[i][k].gpu = i;
      mig_handles[i][k].mig = k;
    }
    if ((unsigned int)i < gpu_count) {
      load_gpu(i);
    }
  }
  for (int i = 0; i < config_len; i++) {
    load_override(config[i].key, config[i].value);
  }
}

/* ---- Call bookkeeping ---------------------------------------------------------------- */

static int resolve(nvmlDevice_t dev, int *mig) {
  *mig = -1;
  if (dev == NULL) {
    return -1;
  }
  for (unsigned int i = 0; i < gpu_count; i++) {
    if (dev == &gpu_handles[i]) {
      return (int)i;
    }
    for (int k = 0; k < MAX_MIG; k++) {
      if (dev == &mig_handles[i][k]) {
        *mig = k;
        return (int)i;
      }
    }
  }
  return -1;
}

static nvmlReturn_t enter_system(int fn) {
  calls[0][fn]++;
  if (init_depth == 0) {
    uninitialized_calls++;
    return NVML_ERROR_UNINITIALIZED;
  }
  return rc_fn[0][fn] > 0 ? rc_fn[0][fn] : NVML_SUCCESS;
}

/* Counts the call and applies the GPU's state; a MIG handle is accepted only with migOut. */
static nvmlReturn_t enter(int fn, nvmlDevice_t dev, int arg, struct gpu **out, int *migOut) {
  int mig;
  int i = resolve(dev, &mig);
  calls[i + 1][fn]++;
  if (init_depth == 0) {
    uninitialized_calls++;
    return NVML_ERROR_UNINITIALIZED;
  }
  if (i < 0 || (mig >= 0 && migOut == NULL)) {
    return NVML_ERROR_INVALID_ARGUMENT;
  }
  if (gpus[i].lost) {
    return NVML_ERROR_GPU_IS_LOST;
  }
  /* An override of SUCCESS means "answer normally". */
  if (arg >= 0 && arg < MAX_ARG && rc_arg[i][fn][arg] > 0) {
    return rc_arg[i][fn][arg];
  }
  if (rc_fn[i + 1][fn] > 0) {
    return rc_fn[i + 1][fn];
  }
  *out = &gpus[i];
  if (migOut != NULL) {
    *migOut = mig;
  }
  return NVML_SUCCESS;
}

#define DEVICE(fn, dev, arg)                                         \
  struct gpu *g = NULL;                                              \
  do {                                                               \
    nvmlReturn_t rc_ = enter(FN_##fn, (dev), (arg), &g, NULL);       \
    if (rc_ != NVML_SUCCESS) {                                       \
      return rc_;                                                    \
    }                                                                \
  } while (0)

#define DEVICE_OR_MIG(fn, dev, mig)                                  \
  struct gpu *g = NULL;                                              \
  int mig = -1;                                                      \
  do {                                                               \
    nvmlReturn_t rc_ = enter(FN_##fn, (dev), -1, &g, &mig);          \
    if (rc_ != NVML_SUCCESS) {                                       \
      return rc_;                                                    \
    }                                                                \
  } while (0)

#define NEED(o)                        \
  do {                                 \
    if (!(o).has) {                    \
      return NVML_ERROR_NOT_SUPPORTED; \
    }                                  \
  } while (0)

#define OUT(p)                            \
  do {                                    \
    if ((p) == NULL) {                    \
      return NVML_ERROR_INVALID_ARGUMENT; \
    }                                     \
  } while (0)

static nvmlReturn_t put_u32(const struct opt *o, unsigned int *out) {
  if (!o->has) {
    return NVML_ERROR_NOT_SUPPORTED;
  }
  if (out == NULL) {
    return NVML_ERROR_INVALID_ARGUMENT;
  }
  *out = (unsigned int)o->v;
  return NVML_SUCCESS;
}

static nvmlReturn_t put_text(const struct text *t, char *out, unsigned int length) {
  if (!t->has) {
    return NVML_ERROR_NOT_SUPPORTED;
  }
  if (out == NULL) {
    return NVML_ERROR_INVALID_ARGUMENT;
  }
  if (length < t->len + 1) {
    return NVML_ERROR_INSUFFICIENT_SIZE;
  }
  memcpy(out, t->bytes, t->len);
  out[t->len] = 0;
  return NVML_SUCCESS;
}

/* ---- Test hooks ---------------------------------------------------------------------- */

int fake_nvml_calls(const char *fn) {
  int f = function_index(fn);
  if (f < 0) {
    return -1;
  }
  int total = 0;
  for (int i = 0; i <= MAX_GPUS; i++) {
    total += calls[i][f];
  }
  return total;
}

int fake_nvml_gpu_calls(int gpu, const char *fn) {
  int f = function_index(fn);
  return f < 0 || gpu < 0 || gpu >= MAX_GPUS ? -1 : calls[gpu + 1][f];
}

int fake_nvml_uninitialized_calls(void) {
  return uninitialized_calls;
}

int fake_nvml_init_depth(void) {
  return init_depth;
}

void fake_nvml_reset_counts(void) {
  memset(calls, 0, sizeof calls);
  uninitialized_calls = 0;
}

int fake_nvml_set(const char *key, const char *value) {
  if (key == NULL || value == NULL) {
    return -1;
  }
  config_put(key, value);
  config_apply();
  return 0;
}

/* ---- Library lifecycle and system queries ------------------------------------------- */

nvmlReturn_t nvmlInit_v2(void) {
  calls[0][FN_nvmlInit_v2]++;
  config_read();
  config_apply();
  if (init_rc != NVML_SUCCESS) {
    return init_rc;
  }
  init_depth++;
  return NVML_SUCCESS;
}

nvmlReturn_t nvmlShutdown(void) {
  calls[0][FN_nvmlShutdown]++;
  if (init_depth == 0) {
    return NVML_ERROR_UNINITIALIZED;
  }
  init_depth--;
  return NVML_SUCCESS;
}

nvmlReturn_t nvmlSystemGetDriverVersion(char *version, unsigned int length) {
  nvmlReturn_t rc = enter_system(FN_nvmlSystemGetDriverVersion);
  return rc != NVML_SUCCESS ? rc : put_text(&driver_version, version, length);
}

nvmlReturn_t nvmlDeviceGetCount_v2(unsigned int *deviceCount) {
  nvmlReturn_t rc = enter_system(FN_nvmlDeviceGetCount_v2);
  if (rc != NVML_SUCCESS) {
    return rc;
  }
  OUT(deviceCount);
  *deviceCount = gpu_count;
  return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetHandleByIndex_v2(unsigned int index, nvmlDevice_t *device) {
  int slot = index < MAX_GPUS ? (int)index + 1 : 0;
  calls[slot][FN_nvmlDeviceGetHandleByIndex_v2]++;
  if (init_depth == 0) {
    uninitialized_calls++;
    return NVML_ERROR_UNINITIALIZED;
  }
  OUT(device);
  if (index >= gpu_count) {
    return NVML_ERROR_INVALID_ARGUMENT;
  }
  if (rc_fn[slot][FN_nvmlDeviceGetHandleByIndex_v2] > 0) {
    return rc_fn[slot][FN_nvmlDeviceGetHandleByIndex_v2];
  }
  *device = &gpu_handles[index];
  return NVML_SUCCESS;
}

/* ---- Identity ------------------------------------------------------------------------ */

nvmlReturn_t nvmlDeviceGetName(nvmlDevice_t device, char *name, unsigned int length) {
  DEVICE(nvmlDeviceGetName, device, -1);
  return put_text(&g->name, name, length);
}

nvmlReturn_t nvmlDeviceGetUUID(nvmlDevice_t device, char *uuid, unsigned int length) {
  DEVICE_OR_MIG(nvmlDeviceGetUUID, device, mig);
  return put_text(mig >= 0 ? &g->migs[mig].uuid : &g->uuid, uuid, length);
}

nvmlReturn_t nvmlDeviceGetSerial(nvmlDevice_t device, char *serial, unsigned int length) {
  DEVICE(nvmlDeviceGetSerial, device, -1);
  return put_text(&g->serial, serial, length);
}

nvmlReturn_t nvmlDeviceGetVbiosVersion(nvmlDevice_t device, char *version, unsigned int length) {
  DEVICE(nvmlDeviceGetVbiosVersion, device, -1);
  return put_text(&g->vbios, version, length);
}

nvmlReturn_t nvmlDeviceGetBrand(nvmlDevice_t device, nvmlBrandType_t *type) {
  DEVICE(nvmlDeviceGetBrand, device, -1);
  return put_u32(&g->brand, (unsigned int *)type);
}

nvmlReturn_t nvmlDeviceGetArchitecture(nvmlDevice_t device, nvmlDeviceArchitecture_t *arch) {
  DEVICE(nvmlDeviceGetArchitecture, device, -1);
  return put_u32(&g->arch, arch);
}

nvmlReturn_t nvmlDeviceGetCudaComputeCapability(nvmlDevice_t device, int *major, int *minor) {
  DEVICE(nvmlDeviceGetCudaComputeCapability, device, -1);
  NEED(g->cc_major);
  OUT(major);
  OUT(minor);
  *major = (int)g->cc_major.v;
  *minor = (int)g->cc_minor.v;
  return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetPciInfo_v3(nvmlDevice_t device, nvmlPciInfo_t *pci) {
  DEVICE(nvmlDeviceGetPciInfo_v3, device, -1);
  NEED(g->bus_id);
  OUT(pci);
  memset(pci, 0, sizeof *pci);
  size_t n = g->bus_id.len < sizeof pci->busId - 1 ? g->bus_id.len : sizeof pci->busId - 1;
  memcpy(pci->busId, g->bus_id.bytes, n);
  /* The legacy field drops the first four of the eight domain digits. */
  size_t skip = n > 4 ? 4 : 0;
  size_t legacy = n - skip < sizeof pci->busIdLegacy - 1 ? n - skip : sizeof pci->busIdLegacy - 1;
  memcpy(pci->busIdLegacy, pci->busId + skip, legacy);
  pci->domain = (unsigned int)g->pci_domain.v;
  pci->bus = (unsigned int)g->pci_bus.v;
  pci->device = (unsigned int)g->pci_device.v;
  pci->pciDeviceId = (unsigned int)g->pci_device_id.v;
  pci->pciSubSystemId = (unsigned int)g->pci_subsystem_id.v;
  return NVML_SUCCESS;
}

/* ---- Utilization and memory ---------------------------------------------------------- */

nvmlReturn_t nvmlDeviceGetUtilizationRates(nvmlDevice_t device, nvmlUtilization_t *utilization) {
  DEVICE(nvmlDeviceGetUtilizationRates, device, -1);
  if (g->mig_current.has && g->mig_current.v == 1) {
    return NVML_ERROR_NOT_SUPPORTED;
  }
  NEED(g->util_gpu);
  OUT(utilization);
  utilization->gpu = (unsigned int)g->util_gpu.v;
  utilization->memory = (unsigned int)g->util_mem.v;
  return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetEncoderUtilization(nvmlDevice_t device, unsigned int *utilization,
                                             unsigned int *samplingPeriodUs) {
  DEVICE(nvmlDeviceGetEncoderUtilization, device, -1);
  OUT(samplingPeriodUs);
  *samplingPeriodUs = 167000;
  return put_u32(&g->enc_util, utilization);
}

nvmlReturn_t nvmlDeviceGetDecoderUtilization(nvmlDevice_t device, unsigned int *utilization,
                                             unsigned int *samplingPeriodUs) {
  DEVICE(nvmlDeviceGetDecoderUtilization, device, -1);
  OUT(samplingPeriodUs);
  *samplingPeriodUs = 167000;
  return put_u32(&g->dec_util, utilization);
}

nvmlReturn_t nvmlDeviceGetMemoryInfo(nvmlDevice_t device, nvmlMemory_t *memory) {
  DEVICE_OR_MIG(nvmlDeviceGetMemoryInfo, device, mig);
  OUT(memory);
  if (mig >= 0) {
    struct mig *m = &g->migs[mig];
    NEED(m->mem_total);
    memory->total = m->mem_total.v;
    memory->free = m->mem_free.v;
    memory->used = m->mem_used.v;
    return NVML_SUCCESS;
  }
  NEED(g->mem_total);
  /* Version 1 counts the driver's reservation as used. */
  memory->total = g->mem_total.v;
  memory->free = g->mem_free.v;
  memory->used = g->mem_used.v + g->mem_reserved.v;
  return NVML_SUCCESS;
}

#if FAKE_API_LEVEL >= 3
nvmlReturn_t nvmlDeviceGetMemoryInfo_v2(nvmlDevice_t device, nvmlMemory_v2_t *memory) {
  DEVICE(nvmlDeviceGetMemoryInfo_v2, device, -1);
  OUT(memory);
  if (memory->version != NVML_MEMORY_V2_VERSION) {
    return NVML_ERROR_ARGUMENT_VERSION_MISMATCH;
  }
  NEED(g->mem_total);
  memory->total = g->mem_total.v;
  memory->reserved = g->mem_reserved.v;
  memory->free = g->mem_free.v;
  memory->used = g->mem_used.v;
  return NVML_SUCCESS;
}
#endif

nvmlReturn_t nvmlDeviceGetBAR1MemoryInfo(nvmlDevice_t device, nvmlBAR1Memory_t *bar1Memory) {
  DEVICE(nvmlDeviceGetBAR1MemoryInfo, device, -1);
  NEED(g->bar1_total);
  OUT(bar1Memory);
  bar1Memory->bar1Total = g->bar1_total.v;
  bar1Memory->bar1Free = g->bar1_free.v;
  bar1Memory->bar1Used = g->bar1_used.v;
  return NVML_SUCCESS;
}

/* ---- Thermals and power -------------------------------------------------------------- */

nvmlReturn_t nvmlDeviceGetTemperature(nvmlDevice_t device, nvmlTemperatureSensors_t sensorType,
                                      unsigned int *temp) {
  DEVICE(nvmlDeviceGetTemperature, device, sensorType);
  if (sensorType != 0) {
    return NVML_ERROR_INVALID_ARGUMENT;
  }
  return put_u32(&g->temp, temp);
}

nvmlReturn_t nvmlDeviceGetTemperatureThreshold(nvmlDevice_t device,
                                               nvmlTemperatureThresholds_t thresholdType,
                                               unsigned int *temp) {
  DEVICE(nvmlDeviceGetTemperatureThreshold, device, thresholdType);
  if (thresholdType < 0 || thresholdType >= 8) {
    return NVML_ERROR_INVALID_ARGUMENT;
  }
  return put_u32(&g->thresholds[thresholdType], temp);
}

nvmlReturn_t nvmlDeviceGetPowerUsage(nvmlDevice_t device, unsigned int *power) {
  DEVICE(nvmlDeviceGetPowerUsage, device, -1);
  return put_u32(&g->power_usage, power);
}

nvmlReturn_t nvmlDeviceGetPowerManagementLimit(nvmlDevice_t device, unsigned int *limit) {
  DEVICE(nvmlDeviceGetPowerManagementLimit, device, -1);
  return put_u32(&g->power_limit, limit);
}

nvmlReturn_t nvmlDeviceGetPowerManagementDefaultLimit(nvmlDevice_t device,
                                                      unsigned int *defaultLimit) {
  DEVICE(nvmlDeviceGetPowerManagementDefaultLimit, device, -1);
  return put_u32(&g->power_default_limit, defaultLimit);
}

nvmlReturn_t nvmlDeviceGetPowerManagementLimitConstraints(nvmlDevice_t device,
                                                          unsigned int *minLimit,
                                                          unsigned int *maxLimit) {
  DEVICE(nvmlDeviceGetPowerManagementLimitConstraints, device, -1);
  NEED(g->power_min);
  nvmlReturn_t rc = put_u32(&g->power_min, minLimit);
  return rc != NVML_SUCCESS ? rc : put_u32(&g->power_max, maxLimit);
}

nvmlReturn_t nvmlDeviceGetTotalEnergyConsumption(nvmlDevice_t device, unsigned long long *energy) {
  DEVICE(nvmlDeviceGetTotalEnergyConsumption, device, -1);
  NEED(g->energy);
  OUT(energy);
  *energy = g->energy.v;
  return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetNumFans(nvmlDevice_t device, unsigned int *numFans) {
  DEVICE(nvmlDeviceGetNumFans, device, -1);
  return put_u32(&g->fans, numFans);
}

nvmlReturn_t nvmlDeviceGetFanSpeed(nvmlDevice_t device, unsigned int *speed) {
  DEVICE(nvmlDeviceGetFanSpeed, device, -1);
  return put_u32(&g->fan[0], speed);
}

nvmlReturn_t nvmlDeviceGetFanSpeed_v2(nvmlDevice_t device, unsigned int fan, unsigned int *speed) {
  DEVICE(nvmlDeviceGetFanSpeed_v2, device, (int)fan);
  if (g->fans.has && fan >= g->fans.v) {
    return NVML_ERROR_INVALID_ARGUMENT;
  }
  return fan < MAX_FANS ? put_u32(&g->fan[fan], speed) : NVML_ERROR_INVALID_ARGUMENT;
}

/* ---- Clocks and performance ---------------------------------------------------------- */

nvmlReturn_t nvmlDeviceGetClockInfo(nvmlDevice_t device, nvmlClockType_t type,
                                    unsigned int *clock) {
  DEVICE(nvmlDeviceGetClockInfo, device, type);
  return type >= 0 && type < 4 ? put_u32(&g->clock[type], clock) : NVML_ERROR_INVALID_ARGUMENT;
}

nvmlReturn_t nvmlDeviceGetMaxClockInfo(nvmlDevice_t device, nvmlClockType_t type,
                                       unsigned int *clock) {
  DEVICE(nvmlDeviceGetMaxClockInfo, device, type);
  return type >= 0 && type < 4 ? put_u32(&g->max_clock[type], clock)
                               : NVML_ERROR_INVALID_ARGUMENT;
}

nvmlReturn_t nvmlDeviceGetPerformanceState(nvmlDevice_t device, nvmlPstates_t *pState) {
  DEVICE(nvmlDeviceGetPerformanceState, device, -1);
  return put_u32(&g->pstate, (unsigned int *)pState);
}

static nvmlReturn_t put_reasons(struct gpu *g, unsigned long long *reasons) {
  NEED(g->reasons);
  OUT(reasons);
  *reasons = g->reasons.v;
  return NVML_SUCCESS;
}

#if FAKE_API_LEVEL >= 3
nvmlReturn_t nvmlDeviceGetCurrentClocksEventReasons(nvmlDevice_t device,
                                                    unsigned long long *clocksEventReasons) {
  DEVICE(nvmlDeviceGetCurrentClocksEventReasons, device, -1);
  return put_reasons(g, clocksEventReasons);
}
#endif

nvmlReturn_t nvmlDeviceGetCurrentClocksThrottleReasons(nvmlDevice_t device,
                                                       unsigned long long *clocksThrottleReasons) {
  DEVICE(nvmlDeviceGetCurrentClocksThrottleReasons, device, -1);
  return put_reasons(g, clocksThrottleReasons);
}

/* ---- PCIe and media engines ---------------------------------------------------------- */

nvmlReturn_t nvmlDeviceGetCurrPcieLinkGeneration(nvmlDevice_t device, unsigned int *currLinkGen) {
  DEVICE(nvmlDeviceGetCurrPcieLinkGeneration, device, -1);
  return put_u32(&g->pcie_gen, currLinkGen);
}

nvmlReturn_t nvmlDeviceGetMaxPcieLinkGeneration(nvmlDevice_t device, unsigned int *maxLinkGen) {
  DEVICE(nvmlDeviceGetMaxPcieLinkGeneration, device, -1);
  return put_u32(&g->pcie_gen_max, maxLinkGen);
}

nvmlReturn_t nvmlDeviceGetCurrPcieLinkWidth(nvmlDevice_t device, unsigned int *currLinkWidth) {
  DEVICE(nvmlDeviceGetCurrPcieLinkWidth, device, -1);
  return put_u32(&g->pcie_width, currLinkWidth);
}

nvmlReturn_t nvmlDeviceGetMaxPcieLinkWidth(nvmlDevice_t device, unsigned int *maxLinkWidth) {
  DEVICE(nvmlDeviceGetMaxPcieLinkWidth, device, -1);
  return put_u32(&g->pcie_width_max, maxLinkWidth);
}

nvmlReturn_t nvmlDeviceGetPcieThroughput(nvmlDevice_t device, nvmlPcieUtilCounter_t counter,
                                         unsigned int *value) {
  DEVICE(nvmlDeviceGetPcieThroughput, device, counter);
  if (counter == 0) {
    return put_u32(&g->pcie_tx, value);
  }
  return counter == 1 ? put_u32(&g->pcie_rx, value) : NVML_ERROR_INVALID_ARGUMENT;
}

nvmlReturn_t nvmlDeviceGetEncoderStats(nvmlDevice_t device, unsigned int *sessionCount,
                                       unsigned int *averageFps, unsigned int *averageLatency) {
  DEVICE(nvmlDeviceGetEncoderStats, device, -1);
  NEED(g->enc_sessions);
  OUT(sessionCount);
  OUT(averageFps);
  OUT(averageLatency);
  *sessionCount = (unsigned int)g->enc_sessions.v;
  *averageFps = (unsigned int)g->enc_fps.v;
  *averageLatency = (unsigned int)g->enc_latency.v;
  return NVML_SUCCESS;
}

/* ---- ECC and page retirement --------------------------------------------------------- */

nvmlReturn_t nvmlDeviceGetEccMode(nvmlDevice_t device, nvmlEnableState_t *current,
                                  nvmlEnableState_t *pending) {
  DEVICE(nvmlDeviceGetEccMode, device, -1);
  NEED(g->ecc_current);
  nvmlReturn_t rc = put_u32(&g->ecc_current, (unsigned int *)current);
  if (rc != NVML_SUCCESS) {
    return rc;
  }
  OUT(pending);
  *pending = (int)(g->ecc_pending.has ? g->ecc_pending.v : g->ecc_current.v);
  return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetTotalEccErrors(nvmlDevice_t device, nvmlMemoryErrorType_t errorType,
                                         nvmlEccCounterType_t counterType,
                                         unsigned long long *eccCounts) {
  DEVICE(nvmlDeviceGetTotalEccErrors, device, errorType);
  if (counterType < 0 || counterType > 1 || errorType < 0 || errorType > 1) {
    return NVML_ERROR_INVALID_ARGUMENT;
  }
  const struct opt *o = errorType == 0 ? &g->ecc_corrected : &g->ecc_uncorrected;
  NEED(*o);
  OUT(eccCounts);
  *eccCounts = o->v;
  return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetRetiredPages(nvmlDevice_t device, nvmlPageRetirementCause_t cause,
                                       unsigned int *pageCount, unsigned long long *addresses) {
  DEVICE(nvmlDeviceGetRetiredPages, device, cause);
  if (cause < 0 || cause > 1) {
    return NVML_ERROR_INVALID_ARGUMENT;
  }
  NEED(g->retired[cause]);
  OUT(pageCount);
  unsigned int n = (unsigned int)g->retired[cause].v;
  if (*pageCount < n) {
    *pageCount = n;
    return NVML_ERROR_INSUFFICIENT_SIZE;
  }
  for (unsigned int i = 0; i < n && addresses != NULL; i++) {
    addresses[i] = 0x1000ull * (i + 1);
  }
  *pageCount = n;
  return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetRetiredPagesPendingStatus(nvmlDevice_t device,
                                                    nvmlEnableState_t *isPending) {
  DEVICE(nvmlDeviceGetRetiredPagesPendingStatus, device, -1);
  return put_u32(&g->retired_pending, (unsigned int *)isPending);
}

/* ---- Modes --------------------------------------------------------------------------- */

nvmlReturn_t nvmlDeviceGetPersistenceMode(nvmlDevice_t device, nvmlEnableState_t *mode) {
  DEVICE(nvmlDeviceGetPersistenceMode, device, -1);
  return put_u32(&g->persistence, (unsigned int *)mode);
}

nvmlReturn_t nvmlDeviceGetComputeMode(nvmlDevice_t device, nvmlComputeMode_t *mode) {
  DEVICE(nvmlDeviceGetComputeMode, device, -1);
  return put_u32(&g->compute_mode, (unsigned int *)mode);
}

nvmlReturn_t nvmlDeviceGetDisplayActive(nvmlDevice_t device, nvmlEnableState_t *isActive) {
  DEVICE(nvmlDeviceGetDisplayActive, device, -1);
  return put_u32(&g->display_active, (unsigned int *)isActive);
}

/* ---- MIG ----------------------------------------------------------------------------- */

nvmlReturn_t nvmlDeviceGetMigMode(nvmlDevice_t device, unsigned int *currentMode,
                                  unsigned int *pendingMode) {
  DEVICE(nvmlDeviceGetMigMode, device, -1);
  NEED(g->mig_current);
  OUT(pendingMode);
  *pendingMode = (unsigned int)(g->mig_pending.has ? g->mig_pending.v : g->mig_current.v);
  return put_u32(&g->mig_current, currentMode);
}

nvmlReturn_t nvmlDeviceGetMaxMigDeviceCount(nvmlDevice_t device, unsigned int *count) {
  DEVICE(nvmlDeviceGetMaxMigDeviceCount, device, -1);
  return put_u32(&g->mig_max, count);
}

nvmlReturn_t nvmlDeviceGetMigDeviceHandleByIndex(nvmlDevice_t device, unsigned int index,
                                                 nvmlDevice_t *migDevice) {
  DEVICE(nvmlDeviceGetMigDeviceHandleByIndex, device, (int)index);
  OUT(migDevice);
  if (!g->mig_max.has || index >= g->mig_max.v || index >= MAX_MIG) {
    return NVML_ERROR_INVALID_ARGUMENT;
  }
  if (!(g->mig_current.has && g->mig_current.v == 1) || !g->migs[index].present) {
    return NVML_ERROR_NOT_FOUND;
  }
  *migDevice = &mig_handles[g - gpus][index];
  return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetGpuInstanceId(nvmlDevice_t device, unsigned int *id) {
  DEVICE_OR_MIG(nvmlDeviceGetGpuInstanceId, device, mig);
  return mig < 0 ? NVML_ERROR_NOT_SUPPORTED : put_u32(&g->migs[mig].gi, id);
}

nvmlReturn_t nvmlDeviceGetComputeInstanceId(nvmlDevice_t device, unsigned int *id) {
  DEVICE_OR_MIG(nvmlDeviceGetComputeInstanceId, device, mig);
  return mig < 0 ? NVML_ERROR_NOT_SUPPORTED : put_u32(&g->migs[mig].ci, id);
}

/* ---- NVLink -------------------------------------------------------------------------- */

nvmlReturn_t nvmlDeviceGetNvLinkState(nvmlDevice_t device, unsigned int link,
                                      nvmlEnableState_t *isActive) {
  DEVICE(nvmlDeviceGetNvLinkState, device, (int)link);
  if (!g->has_nvlink) {
    return NVML_ERROR_NOT_SUPPORTED;
  }
  if (link >= MAX_LINKS || g->nvlink[link] < 0) {
    return NVML_ERROR_INVALID_ARGUMENT;
  }
  OUT(isActive);
  *isActive = g->nvlink[link];
  return NVML_SUCCESS;
}

/* ---- Processes ----------------------------------------------------------------------- */

/*
 * Writes n entries of `entry` bytes each, `stride` bytes apart, but never past the caller's
 * buffer (infoCount entries of `entry` bytes): a wrong stride garbles entries, as a driver and
 * a binding that disagree on the struct do, without corrupting the caller's memory.
 */
static nvmlReturn_t write_procs(const struct proc *p, unsigned int n, unsigned int *infoCount,
                                void *infos, size_t entry, size_t stride) {
  OUT(infoCount);
  if (*infoCount < n) {
    *infoCount = n;
    return NVML_ERROR_INSUFFICIENT_SIZE;
  }
  if (n > 0 && infos == NULL) {
    return NVML_ERROR_INVALID_ARGUMENT;
  }
  unsigned char *out = infos;
  size_t limit = (size_t)*infoCount * entry;
  if (out != NULL) {
    memset(out, 0, limit);
  }
  for (unsigned int i = 0; i < n; i++) {
    size_t at = (size_t)i * stride;
    if (at + entry > limit) {
      break;
    }
    memcpy(out + at, &p[i].pid, sizeof p[i].pid);
    memcpy(out + at + 8, &p[i].mem, sizeof p[i].mem);
    if (entry >= sizeof(nvmlProcessInfo_v2_t)) {
      memcpy(out + at + 16, &p[i].gi, sizeof p[i].gi);
      memcpy(out + at + 20, &p[i].ci, sizeof p[i].ci);
    }
  }
  *infoCount = n;
  return NVML_SUCCESS;
}

#define PROCESS_QUERY(fn, infoType, list, count, entry, stride)                           \
  nvmlReturn_t fn(nvmlDevice_t device, unsigned int *infoCount, infoType *infos) {        \
    DEVICE(fn, device, -1);                                                               \
    if (g->list##_unsupported) {                                                          \
      return NVML_ERROR_NOT_SUPPORTED;                                                    \
    }                                                                                     \
    return write_procs(g->list, g->count, infoCount, infos, (entry), (stride));           \
  }

#if FAKE_API_LEVEL >= 3
PROCESS_QUERY(nvmlDeviceGetComputeRunningProcesses_v3, nvmlProcessInfo_v2_t, procs, nprocs,
              sizeof(nvmlProcessInfo_v2_t), g->proc_stride)
PROCESS_QUERY(nvmlDeviceGetGraphicsRunningProcesses_v3, nvmlProcessInfo_v2_t, gprocs, ngprocs,
              sizeof(nvmlProcessInfo_v2_t), g->proc_stride)
#endif
#if FAKE_API_LEVEL >= 2
PROCESS_QUERY(nvmlDeviceGetComputeRunningProcesses_v2, nvmlProcessInfo_v2_t, procs, nprocs,
              sizeof(nvmlProcessInfo_v2_t), g->proc_stride)
PROCESS_QUERY(nvmlDeviceGetGraphicsRunningProcesses_v2, nvmlProcessInfo_v2_t, gprocs, ngprocs,
              sizeof(nvmlProcessInfo_v2_t), g->proc_stride)
#endif
PROCESS_QUERY(nvmlDeviceGetComputeRunningProcesses, nvmlProcessInfo_v1_t, procs, nprocs,
              sizeof(nvmlProcessInfo_v1_t), sizeof(nvmlProcessInfo_v1_t))
PROCESS_QUERY(nvmlDeviceGetGraphicsRunningProcesses, nvmlProcessInfo_v1_t, gprocs, ngprocs,
              sizeof(nvmlProcessInfo_v1_t), sizeof(nvmlProcessInfo_v1_t))
