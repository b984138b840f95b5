package io.gpuhot.node;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gpuhot.mock.MockCluster;
import io.gpuhot.mock.SimulatedNode;
import io.gpuhot.support.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;

/**
 * Simulated GPUs for a node without hardware ({@code node --simulate N}): the mock cluster's
 * training workloads, one step per read. For demos of the node view and for tests.
 */
final class SimulatedSource implements GpuSource {
  private final SimulatedNode sim;

  SimulatedSource(int gpus, double intervalS, long seed) {
    this.sim = MockCluster.simulatedNode("simulated", gpus, intervalS, seed);
  }

  @Override
  public Reading read() {
    sim.step();
    try {
      var msg = (ObjectNode) Json.MAPPER.readTree(sim.message(Instant.now()));
      var gpus = new LinkedHashMap<String, ObjectNode>();
      msg.get("gpus").fields().forEachRemaining(e -> gpus.put(e.getKey(), (ObjectNode) e.getValue()));
      var procs = new ArrayList<Process>();
      for (var p : msg.get("processes")) {
        procs.add(new Process(p.get("pid").asLong(), p.get("memory").asDouble(),
            p.get("gpu_id").asText(), p.get("gpu_uuid").asText(), "compute"));
      }
      return new Reading(gpus, procs);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the simulated node's own message", e);
    }
  }

  @Override
  public String describe() {
    return sim.gpus().size() + " simulated GPUs";
  }
}
