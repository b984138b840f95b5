package io.gpuhot.mock;

import java.util.List;

/**
 * The fixed character of one simulated GPU product: sizes, limits and clock ranges taken from
 * the public specifications of real boards, so the mock looks like the hardware it imitates.
 *
 * @param fullLoadTempC steady temperature at full power with a 25 °C inlet
 * @param slowdownTempC temperature at which the driver starts thermal slowdown
 * @param hasFan whether the board reports a fan (passive data-centre boards do not)
 */
public record GpuModel(
    String name,
    String brand,
    String architecture,
    String computeCapability,
    String vbios,
    int memoryMiB,
    double powerLimitW,
    double idlePowerW,
    int maxGraphicsMhz,
    int maxMemoryMhz,
    int idleGraphicsMhz,
    int idleMemoryMhz,
    int maxVideoMhz,
    int pcieGen,
    double fullLoadTempC,
    double slowdownTempC,
    double shutdownTempC,
    boolean hasFan,
    boolean ecc) {

  public static final GpuModel H100_SXM =
      new GpuModel("NVIDIA H100 80GB HBM3", "NVIDIA", "Hopper", "9.0", "96.00.74.00.0D",
          81559, 700, 72, 1980, 2619, 345, 2619, 1755, 5, 74, 87, 92, false, true);
  public static final GpuModel A100_SXM =
      new GpuModel("NVIDIA A100-SXM4-80GB", "NVIDIA", "Ampere", "8.0", "92.00.45.00.03",
          81920, 400, 58, 1410, 1593, 210, 1593, 1290, 4, 70, 86, 92, false, true);
  public static final GpuModel L40S =
      new GpuModel("NVIDIA L40S", "NVIDIA", "Ada Lovelace", "8.9", "95.02.66.00.02",
          46068, 350, 34, 2520, 9001, 210, 405, 1965, 4, 76, 88, 94, false, true);
  public static final GpuModel RTX_4090 =
      new GpuModel("NVIDIA GeForce RTX 4090", "GeForce", "Ada Lovelace", "8.9", "95.02.3C.40.B8",
          24564, 450, 22, 2520, 10501, 210, 405, 2415, 4, 72, 83, 90, true, false);

  /** Every model the mock can assign. */
  public static final List<GpuModel> ALL = List.of(H100_SXM, A100_SXM, L40S, RTX_4090);

  /** Picks the board of a simulated node: small nodes are workstations, large ones servers. */
  public static GpuModel forNode(int nodeIndex, int gpuCount) {
    if (gpuCount <= 2) {
      return RTX_4090;
    }
    return List.of(H100_SXM, A100_SXM, L40S).get(nodeIndex % 3);
  }
}
