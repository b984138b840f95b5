package io.gpuhot.nvml;

import com.sun.jna.Structure;
import io.gpuhot.nvml.jna.NvmlLibrary.ProcessInfoV1;
import io.gpuhot.nvml.jna.NvmlLibrary.ProcessInfoV2;

/**
 * A reusable native array of process entries for one GPU and one list. Its element type is the
 * struct version that matches the entry point being called, because reading a v2 answer with
 * the v1 layout (or the reverse) scrambles every entry after the first.
 */
final class ProcessBuffer {
  private static final int INITIAL_CAPACITY = 16;

  private Structure[] entries;
  private boolean legacy;

  /** The first element of an array of at least {@code capacity} entries in the given layout. */
  Structure first(boolean legacyLayout, int capacity) {
    if (entries == null || legacy != legacyLayout || entries.length < capacity) {
      allocate(legacyLayout, Math.max(capacity, INITIAL_CAPACITY));
    }
    return entries[0];
  }

  int capacity() {
    return entries == null ? INITIAL_CAPACITY : entries.length;
  }

  /** Copies entry {@code i} out of native memory; call before the getters. */
  void read(int i) {
    entries[i].read();
  }

  long pid(int i) {
    int raw = legacy ? ((ProcessInfoV1) entries[i]).pid : ((ProcessInfoV2) entries[i]).pid;
    return Integer.toUnsignedLong(raw);
  }

  long usedBytes(int i) {
    return legacy
        ? ((ProcessInfoV1) entries[i]).usedGpuMemory
        : ((ProcessInfoV2) entries[i]).usedGpuMemory;
  }

  Integer gpuInstanceId(int i) {
    return legacy ? null : Readings.instanceId(((ProcessInfoV2) entries[i]).gpuInstanceId);
  }

  Integer computeInstanceId(int i) {
    return legacy ? null : Readings.instanceId(((ProcessInfoV2) entries[i]).computeInstanceId);
  }

  private void allocate(boolean legacyLayout, int capacity) {
    Structure prototype = legacyLayout ? new ProcessInfoV1() : new ProcessInfoV2();
    entries = prototype.toArray(capacity);
    for (Structure s : entries) {
      // The driver writes only as many entries as it reports; read those by hand.
      s.setAutoSynch(false);
    }
    legacy = legacyLayout;
  }
}
