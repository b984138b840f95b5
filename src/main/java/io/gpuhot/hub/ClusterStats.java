package io.gpuhot.hub;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.util.List;

/**
 * Counts and totals over the whole cluster. {@code totalGpus} counts the GPUs of online nodes, as
 * the original does; {@code knownGpus} also counts the last known GPUs of offline nodes.
 */
record ClusterStats(
    int totalNodes,
    int onlineNodes,
    int offlineNodes,
    int errorNodes,
    int totalGpus,
    int knownGpus,
    double memoryUsed,
    double memoryTotal,
    double powerDraw,
    double utilization) {

  static ClusterStats of(List<NodeEntry> nodes) {
    int online = 0;
    int error = 0;
    int gpus = 0;
    int known = 0;
    double used = 0;
    double total = 0;
    double power = 0;
    double util = 0;
    int utilGpus = 0;
    for (var e : nodes) {
      known += e.gpus.size();
      if (e.status == NodeStatus.ERROR) {
        error++;
      }
      if (!e.online()) {
        continue;
      }
      online++;
      var s = e.summary;
      gpus += s.gpus();
      used += s.memoryUsed();
      total += s.memoryTotal();
      power += s.power();
      if (!Double.isNaN(s.utilization())) {
        util += s.utilization() * s.gpus();
        utilGpus += s.gpus();
      }
    }
    return new ClusterStats(nodes.size(), online, nodes.size() - online - error, error, gpus,
        known, used, total, power, utilGpus == 0 ? Double.NaN : util / utilGpus);
  }

  /** Whether the counts (not the totals, which move with every sample) differ. */
  boolean countsDiffer(ClusterStats o) {
    return o == null || totalNodes != o.totalNodes || onlineNodes != o.onlineNodes
        || offlineNodes != o.offlineNodes || errorNodes != o.errorNodes
        || totalGpus != o.totalGpus || knownGpus != o.knownGpus;
  }

  void write(JsonGenerator g) throws IOException {
    g.writeStartObject();
    g.writeNumberField("total_nodes", totalNodes);
    g.writeNumberField("online_nodes", onlineNodes);
    g.writeNumberField("offline_nodes", offlineNodes);
    g.writeNumberField("error_nodes", errorNodes);
    g.writeNumberField("total_gpus", totalGpus);
    g.writeNumberField("known_gpus", knownGpus);
    g.writeNumberField("memory_used", Math.round(memoryUsed));
    g.writeNumberField("memory_total", Math.round(memoryTotal));
    g.writeNumberField("power_draw", Math.round(powerDraw * 10) / 10.0);
    if (Double.isNaN(utilization)) {
      g.writeNullField("utilization");
    } else {
      g.writeNumberField("utilization", Math.round(utilization * 10) / 10.0);
    }
    g.writeEndObject();
  }
}
