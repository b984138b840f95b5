package io.gpuhot.loadtest;

import io.gpuhot.support.ProcessStats;
import java.net.URI;

/** The system under test: a mock cluster and a hub, wherever they run. */
interface Target extends AutoCloseable {
  /** The hub's protocol-2 stream. */
  URI stream();

  /** Where the target runs, in words, for the report. */
  String where();

  /** CPU seconds the hub has used so far, or -1 when it cannot be measured. */
  double hubCpuSeconds();

  /** CPU seconds the mock cluster has used so far, or -1 when it cannot be measured. */
  double mockCpuSeconds();

  /** The hub's process memory, or unknown when it shares a process or runs elsewhere. */
  ProcessStats.Reading hubProcess();

  ProcessStats.Reading mockProcess();

  /** Heap bytes the hub uses now (after a GC where possible), or -1. */
  long hubHeapBytes();

  @Override
  void close();
}
