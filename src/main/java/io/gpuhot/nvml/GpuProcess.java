package io.gpuhot.nvml;

/**
 * One process that NVML lists on a GPU. The PID is the host's (NVML ignores PID namespaces);
 * names are resolved elsewhere, from {@code /proc}.
 *
 * @param pid the host PID
 * @param memoryMib GPU memory the process uses, in MiB; null when the driver does not know it
 *     (WDDM, WSL), which is not the same as zero
 * @param type whether NVML listed it as a compute or a graphics process
 * @param gpuIndex the GPU's NVML index, as the wire format writes it ("0")
 * @param gpuUuid the GPU's UUID, or null when NVML did not give one
 * @param gpuInstanceId the MIG GPU instance, or null when MIG is off
 * @param computeInstanceId the MIG compute instance, or null when MIG is off
 */
public record GpuProcess(
    long pid,
    Double memoryMib,
    Type type,
    String gpuIndex,
    String gpuUuid,
    Integer gpuInstanceId,
    Integer computeInstanceId) {

  /** Which NVML list a process came from. */
  public enum Type {
    COMPUTE("compute"),
    GRAPHICS("graphics");

    private final String wireName;

    Type(String wireName) {
      this.wireName = wireName;
    }

    /** "compute" or "graphics". */
    public String wireName() {
      return wireName;
    }
  }
}
