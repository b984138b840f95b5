package io.gpuhot.nvml;

/**
 * What a GPU may lack. Each is probed once per GPU: the first "not supported" answer is
 * remembered and that call is never made again. Labels appear in the one log line per GPU.
 */
enum Metric {
  NAME("name"),
  UUID("UUID"),
  SERIAL("serial number"),
  VBIOS("VBIOS version"),
  BRAND("brand"),
  ARCHITECTURE("architecture"),
  COMPUTE_CAPABILITY("CUDA compute capability"),
  PCI_INFO("PCI bus id"),
  UTILIZATION("utilization"),
  ENCODER_UTILIZATION("encoder utilization"),
  DECODER_UTILIZATION("decoder utilization"),
  MEMORY("memory"),
  BAR1_MEMORY("BAR1 memory"),
  TEMPERATURE("temperature"),
  TEMPERATURE_SLOWDOWN("slowdown temperature"),
  TEMPERATURE_SHUTDOWN("shutdown temperature"),
  TEMPERATURE_MAX_OPERATING("max operating temperature"),
  POWER_DRAW("power draw"),
  POWER_LIMIT("power limit"),
  POWER_DEFAULT_LIMIT("default power limit"),
  POWER_LIMIT_RANGE("power limit range"),
  ENERGY("energy counter"),
  FAN_COUNT("fan count"),
  FAN_SPEED("fan speed"),
  CLOCK_GRAPHICS("graphics clock"),
  CLOCK_SM("SM clock"),
  CLOCK_MEMORY("memory clock"),
  CLOCK_VIDEO("video clock"),
  CLOCK_GRAPHICS_MAX("max graphics clock"),
  CLOCK_SM_MAX("max SM clock"),
  CLOCK_MEMORY_MAX("max memory clock"),
  CLOCK_VIDEO_MAX("max video clock"),
  PERFORMANCE_STATE("performance state"),
  THROTTLE_REASONS("throttle reasons"),
  PCIE_GEN("PCIe generation"),
  PCIE_GEN_MAX("max PCIe generation"),
  PCIE_WIDTH("PCIe width"),
  PCIE_WIDTH_MAX("max PCIe width"),
  PCIE_TX("PCIe TX throughput"),
  PCIE_RX("PCIe RX throughput"),
  ENCODER_STATS("encoder sessions"),
  ECC_MODE("ECC mode"),
  ECC_CORRECTED("corrected ECC errors"),
  ECC_UNCORRECTED("uncorrected ECC errors"),
  RETIRED_PAGES("retired pages"),
  RETIRED_PAGES_PENDING("pending page retirement"),
  PERSISTENCE_MODE("persistence mode"),
  COMPUTE_MODE("compute mode"),
  DISPLAY_ACTIVE("display active"),
  MIG_MODE("MIG mode"),
  MIG_DEVICES("MIG devices"),
  NVLINK("NVLink"),
  COMPUTE_PROCESSES("compute processes"),
  GRAPHICS_PROCESSES("graphics processes");

  private final String label;

  Metric(String label) {
    this.label = label;
  }

  String label() {
    return label;
  }
}
