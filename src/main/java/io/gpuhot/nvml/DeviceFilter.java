package io.gpuhot.nvml;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.StringJoiner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the GPUs a filter names, as NVIDIA_VISIBLE_DEVICES does: each entry is an NVML index or
 * a GPU UUID. An empty filter, or one containing "all", keeps everything.
 */
final class DeviceFilter {
  private static final Logger log = LoggerFactory.getLogger(NvmlBackend.class);

  private DeviceFilter() {}

  static List<Device> apply(List<String> filter, List<Device> all)
      throws NvmlUnavailableException {
    List<String> wanted = normalise(filter);
    if (wanted.isEmpty() || wanted.contains("all")) {
      return all;
    }
    var kept = new ArrayList<Device>();
    for (Device d : all) {
      if (wanted.contains(d.key) || (d.uuid != null && wanted.contains(lower(d.uuid)))) {
        kept.add(d);
      }
    }
    for (String entry : wanted) {
      if (all.stream().noneMatch(d -> entry.equals(d.key) || entry.equals(lower(d.uuid)))) {
        log.warn("NVML: device filter entry \"{}\" matches no GPU; ignoring it", entry);
      }
    }
    if (kept.isEmpty()) {
      throw new NvmlUnavailableException("NVML: no GPU matches the device filter " + wanted
          + " (present: " + present(all) + ")", NvmlReturn.GPU_NOT_FOUND);
    }
    return kept;
  }

  private static List<String> normalise(List<String> filter) {
    var out = new ArrayList<String>();
    if (filter != null) {
      for (String entry : filter) {
        if (entry != null && !entry.isBlank()) {
          out.add(lower(entry.strip()));
        }
      }
    }
    return out;
  }

  private static String present(List<Device> all) {
    var text = new StringJoiner(", ");
    all.forEach(d -> text.add(d.uuid == null ? d.key : d.key + " " + d.uuid));
    return text.toString();
  }

  private static String lower(String s) {
    return s == null ? null : s.toLowerCase(Locale.ROOT);
  }
}
