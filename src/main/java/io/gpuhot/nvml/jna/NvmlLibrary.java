package io.gpuhot.nvml.jna;

import com.sun.jna.Library;
import com.sun.jna.Pointer;
import com.sun.jna.Structure;
import com.sun.jna.Structure.FieldOrder;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.LongByReference;
import com.sun.jna.ptr.PointerByReference;

/**
 * The part of the NVML C API (nvml.h) that GPU Hot reads, declared one-to-one: the versioned
 * symbol names the header maps its macros to, {@code int} return codes ({@code nvmlReturn_t}),
 * {@code nvmlDevice_t} as an opaque {@link Pointer}, and structures laid out field by field.
 *
 * <p>Not an API: only {@code io.gpuhot.nvml} calls it, through {@link NvmlLoader}. Unsigned C
 * types arrive in Java's signed {@code int}/{@code long}; readers convert them with {@link
 * Integer#toUnsignedLong} and {@link Long#compareUnsigned}.
 */
public interface NvmlLibrary extends Library {
  int NVML_SUCCESS = 0;

  int NVML_DEVICE_NAME_V2_BUFFER_SIZE = 96;
  int NVML_DEVICE_UUID_V2_BUFFER_SIZE = 96;
  int NVML_DEVICE_SERIAL_BUFFER_SIZE = 30;
  int NVML_DEVICE_VBIOS_VERSION_BUFFER_SIZE = 32;
  int NVML_SYSTEM_DRIVER_VERSION_BUFFER_SIZE = 80;
  int NVML_DEVICE_PCI_BUS_ID_BUFFER_SIZE = 32;
  int NVML_DEVICE_PCI_BUS_ID_BUFFER_V2_SIZE = 16;
  int NVML_NVLINK_MAX_LINKS = 18;

  /** {@code unsigned long long} all ones: the driver does not know the value (WDDM, WSL). */
  long NVML_VALUE_NOT_AVAILABLE = -1L;

  /** nvmlTemperatureSensors_t. */
  int NVML_TEMPERATURE_GPU = 0;

  /** nvmlTemperatureThresholds_t. */
  int NVML_TEMPERATURE_THRESHOLD_SHUTDOWN = 0;
  int NVML_TEMPERATURE_THRESHOLD_SLOWDOWN = 1;
  int NVML_TEMPERATURE_THRESHOLD_MEM_MAX = 2;
  int NVML_TEMPERATURE_THRESHOLD_GPU_MAX = 3;

  /** nvmlClockType_t. */
  int NVML_CLOCK_GRAPHICS = 0;
  int NVML_CLOCK_SM = 1;
  int NVML_CLOCK_MEM = 2;
  int NVML_CLOCK_VIDEO = 3;

  /** nvmlPcieUtilCounter_t. */
  int NVML_PCIE_UTIL_TX_BYTES = 0;
  int NVML_PCIE_UTIL_RX_BYTES = 1;

  /** nvmlMemoryErrorType_t and nvmlEccCounterType_t. */
  int NVML_MEMORY_ERROR_TYPE_CORRECTED = 0;
  int NVML_MEMORY_ERROR_TYPE_UNCORRECTED = 1;
  int NVML_VOLATILE_ECC = 0;
  int NVML_AGGREGATE_ECC = 1;

  /** nvmlPageRetirementCause_t. */
  int NVML_PAGE_RETIREMENT_CAUSE_MULTIPLE_SINGLE_BIT_ECC_ERRORS = 0;
  int NVML_PAGE_RETIREMENT_CAUSE_DOUBLE_BIT_ECC_ERROR = 1;

  /** nvmlEnableState_t, and the MIG mode values of nvmlDeviceGetMigMode. */
  int NVML_FEATURE_DISABLED = 0;
  int NVML_FEATURE_ENABLED = 1;
  int NVML_DEVICE_MIG_DISABLE = 0;
  int NVML_DEVICE_MIG_ENABLE = 1;

  /** nvmlPstates_t: P0..P15 are 0..15. */
  int NVML_PSTATE_UNKNOWN = 32;

  /** Bits of nvmlDeviceGetCurrentClocksEventReasons (formerly "throttle reasons"). */
  long nvmlClocksEventReasonGpuIdle = 0x1L;
  long nvmlClocksEventReasonApplicationsClocksSetting = 0x2L;
  long nvmlClocksEventReasonSwPowerCap = 0x4L;
  long nvmlClocksThrottleReasonHwSlowdown = 0x8L;
  long nvmlClocksEventReasonSyncBoost = 0x10L;
  long nvmlClocksEventReasonSwThermalSlowdown = 0x20L;
  long nvmlClocksThrottleReasonHwThermalSlowdown = 0x40L;
  long nvmlClocksThrottleReasonHwPowerBrakeSlowdown = 0x80L;
  long nvmlClocksEventReasonDisplayClockSetting = 0x100L;

  /** nvmlMemory_t, filled by nvmlDeviceGetMemoryInfo; bytes. */
  @FieldOrder({"total", "free", "used"})
  class Memory extends Structure {
    public long total;
    public long free;
    public long used;
  }

  /**
   * nvmlMemory_v2_t, filled by nvmlDeviceGetMemoryInfo_v2; bytes. The caller sets {@code
   * version} to the struct's size with the version number in the top byte.
   */
  @FieldOrder({"version", "total", "reserved", "free", "used"})
  class MemoryV2 extends Structure {
    public int version;
    public long total;
    public long reserved;
    public long free;
    public long used;

    public MemoryV2() {
      version = size() | (2 << 24);
    }
  }

  /** nvmlBAR1Memory_t; bytes. */
  @FieldOrder({"bar1Total", "bar1Free", "bar1Used"})
  class Bar1Memory extends Structure {
    public long bar1Total;
    public long bar1Free;
    public long bar1Used;
  }

  /** nvmlUtilization_t; percent over the driver's last sample period. */
  @FieldOrder({"gpu", "memory"})
  class Utilization extends Structure {
    public int gpu;
    public int memory;
  }

  /** nvmlPciInfo_t as filled by nvmlDeviceGetPciInfo_v3. */
  @FieldOrder({
    "busIdLegacy", "domain", "bus", "device", "pciDeviceId", "pciSubSystemId", "busId"
  })
  class PciInfo extends Structure {
    public byte[] busIdLegacy = new byte[NVML_DEVICE_PCI_BUS_ID_BUFFER_V2_SIZE];
    public int domain;
    public int bus;
    public int device;
    public int pciDeviceId;
    public int pciSubSystemId;
    public byte[] busId = new byte[NVML_DEVICE_PCI_BUS_ID_BUFFER_SIZE];
  }

  /** nvmlProcessInfo_v1_t (16 bytes), the element of the unversioned process queries. */
  @FieldOrder({"pid", "usedGpuMemory"})
  class ProcessInfoV1 extends Structure {
    public int pid;
    public long usedGpuMemory;
  }

  /**
   * nvmlProcessInfo_v2_t (24 bytes), the element of the {@code _v2} and {@code _v3} process
   * queries. Instance ids are all ones when MIG is off.
   */
  @FieldOrder({"pid", "usedGpuMemory", "gpuInstanceId", "computeInstanceId"})
  class ProcessInfoV2 extends Structure {
    public int pid;
    public long usedGpuMemory;
    public int gpuInstanceId;
    public int computeInstanceId;
  }

  int nvmlInit_v2();

  int nvmlShutdown();

  int nvmlSystemGetDriverVersion(byte[] version, int length);

  int nvmlDeviceGetCount_v2(IntByReference deviceCount);

  int nvmlDeviceGetHandleByIndex_v2(int index, PointerByReference device);

  int nvmlDeviceGetName(Pointer device, byte[] name, int length);

  int nvmlDeviceGetUUID(Pointer device, byte[] uuid, int length);

  int nvmlDeviceGetSerial(Pointer device, byte[] serial, int length);

  int nvmlDeviceGetVbiosVersion(Pointer device, byte[] version, int length);

  int nvmlDeviceGetBrand(Pointer device, IntByReference type);

  int nvmlDeviceGetArchitecture(Pointer device, IntByReference arch);

  int nvmlDeviceGetCudaComputeCapability(
      Pointer device, IntByReference major, IntByReference minor);

  int nvmlDeviceGetPciInfo_v3(Pointer device, PciInfo pci);

  int nvmlDeviceGetUtilizationRates(Pointer device, Utilization utilization);

  int nvmlDeviceGetEncoderUtilization(
      Pointer device, IntByReference utilization, IntByReference samplingPeriodUs);

  int nvmlDeviceGetDecoderUtilization(
      Pointer device, IntByReference utilization, IntByReference samplingPeriodUs);

  int nvmlDeviceGetMemoryInfo(Pointer device, Memory memory);

  int nvmlDeviceGetMemoryInfo_v2(Pointer device, MemoryV2 memory);

  int nvmlDeviceGetBAR1MemoryInfo(Pointer device, Bar1Memory bar1Memory);

  int nvmlDeviceGetTemperature(Pointer device, int sensorType, IntByReference temp);

  int nvmlDeviceGetTemperatureThreshold(Pointer device, int thresholdType, IntByReference temp);

  int nvmlDeviceGetPowerUsage(Pointer device, IntByReference power);

  int nvmlDeviceGetPowerManagementLimit(Pointer device, IntByReference limit);

  int nvmlDeviceGetPowerManagementDefaultLimit(Pointer device, IntByReference defaultLimit);

  int nvmlDeviceGetPowerManagementLimitConstraints(
      Pointer device, IntByReference minLimit, IntByReference maxLimit);

  int nvmlDeviceGetTotalEnergyConsumption(Pointer device, LongByReference energy);

  int nvmlDeviceGetNumFans(Pointer device, IntByReference numFans);

  int nvmlDeviceGetFanSpeed(Pointer device, IntByReference speed);

  int nvmlDeviceGetFanSpeed_v2(Pointer device, int fan, IntByReference speed);

  int nvmlDeviceGetClockInfo(Pointer device, int type, IntByReference clock);

  int nvmlDeviceGetMaxClockInfo(Pointer device, int type, IntByReference clock);

  int nvmlDeviceGetPerformanceState(Pointer device, IntByReference pState);

  int nvmlDeviceGetCurrentClocksEventReasons(Pointer device, LongByReference reasons);

  int nvmlDeviceGetCurrentClocksThrottleReasons(Pointer device, LongByReference reasons);

  int nvmlDeviceGetCurrPcieLinkGeneration(Pointer device, IntByReference currLinkGen);

  int nvmlDeviceGetMaxPcieLinkGeneration(Pointer device, IntByReference maxLinkGen);

  int nvmlDeviceGetCurrPcieLinkWidth(Pointer device, IntByReference currLinkWidth);

  int nvmlDeviceGetMaxPcieLinkWidth(Pointer device, IntByReference maxLinkWidth);

  int nvmlDeviceGetPcieThroughput(Pointer device, int counter, IntByReference value);

  int nvmlDeviceGetEncoderStats(
      Pointer device,
      IntByReference sessionCount,
      IntByReference averageFps,
      IntByReference averageLatency);

  int nvmlDeviceGetEccMode(Pointer device, IntByReference current, IntByReference pending);

  int nvmlDeviceGetTotalEccErrors(
      Pointer device, int errorType, int counterType, LongByReference eccCounts);

  int nvmlDeviceGetRetiredPages(
      Pointer device, int cause, IntByReference pageCount, long[] addresses);

  int nvmlDeviceGetRetiredPagesPendingStatus(Pointer device, IntByReference isPending);

  int nvmlDeviceGetPersistenceMode(Pointer device, IntByReference mode);

  int nvmlDeviceGetComputeMode(Pointer device, IntByReference mode);

  int nvmlDeviceGetDisplayActive(Pointer device, IntByReference isActive);

  int nvmlDeviceGetMigMode(Pointer device, IntByReference currentMode, IntByReference pendingMode);

  int nvmlDeviceGetMaxMigDeviceCount(Pointer device, IntByReference count);

  int nvmlDeviceGetMigDeviceHandleByIndex(Pointer device, int index, PointerByReference migDevice);

  int nvmlDeviceGetGpuInstanceId(Pointer device, IntByReference id);

  int nvmlDeviceGetComputeInstanceId(Pointer device, IntByReference id);

  int nvmlDeviceGetNvLinkState(Pointer device, int link, IntByReference isActive);

  int nvmlDeviceGetComputeRunningProcesses_v3(
      Pointer device, IntByReference infoCount, ProcessInfoV2 infos);

  int nvmlDeviceGetComputeRunningProcesses_v2(
      Pointer device, IntByReference infoCount, ProcessInfoV2 infos);

  int nvmlDeviceGetComputeRunningProcesses(
      Pointer device, IntByReference infoCount, ProcessInfoV1 infos);

  int nvmlDeviceGetGraphicsRunningProcesses_v3(
      Pointer device, IntByReference infoCount, ProcessInfoV2 infos);

  int nvmlDeviceGetGraphicsRunningProcesses_v2(
      Pointer device, IntByReference infoCount, ProcessInfoV2 infos);

  int nvmlDeviceGetGraphicsRunningProcesses(
      Pointer device, IntByReference infoCount, ProcessInfoV1 infos);
}
