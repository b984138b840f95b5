package io.gpuhot.history;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * One resolution of a node's history: a ring of time points and, per series (a GPU or the host),
 * one 16-bit column per channel. With a bucket length, samples are averaged per bucket and the
 * ring holds one point per bucket; without, every sample is a point.
 */
final class Ring {
  private final long bucketMs;
  private final int capacity;
  private final int[] channels;
  private final long[] times;
  private final Map<String, short[][]> series = new HashMap<>();
  private final Map<String, double[]> sums = new HashMap<>();
  private final Map<String, int[]> counts = new HashMap<>();
  private int next;
  private int size;
  private long bucketStart = -1;

  /** {@code channels[kind]} is the channel count of series whose key starts with that kind. */
  Ring(long bucketMs, int capacity, int gpuChannels, int hostChannels) {
    this.bucketMs = bucketMs;
    this.capacity = capacity;
    this.channels = new int[] {gpuChannels, hostChannels};
    this.times = new long[capacity];
  }

  long bucketMs() {
    return bucketMs;
  }

  int size() {
    return size;
  }

  int capacity() {
    return capacity;
  }

  /** Time of the oldest point held, or Long.MAX_VALUE when empty. */
  long oldest() {
    return size == 0 ? Long.MAX_VALUE : times[index(0)];
  }

  /** Index in the arrays of the i-th point, oldest first. */
  int index(int i) {
    return (next - size + i + capacity) % capacity;
  }

  long time(int i) {
    return times[index(i)];
  }

  short[][] series(String key) {
    return series.get(key);
  }

  Iterable<String> keys() {
    return series.keySet();
  }

  /** Adds one sample: {@code values.get(key)} holds the encoded channels of each series. */
  void add(long t, Map<String, short[]> values) {
    if (bucketMs == 0) {
      append(t, values);
      return;
    }
    long bucket = t - Math.floorMod(t, bucketMs);
    if (bucketStart >= 0 && bucket != bucketStart) {
      flush();
    }
    bucketStart = bucket;
    for (var e : values.entrySet()) {
      short[] v = e.getValue();
      double[] sum = sums.computeIfAbsent(e.getKey(), k -> new double[v.length]);
      int[] count = counts.computeIfAbsent(e.getKey(), k -> new int[v.length]);
      for (int c = 0; c < v.length; c++) {
        if (v[c] != Metric.MISSING) {
          sum[c] += v[c];
          count[c]++;
        }
      }
    }
  }

  /** Writes the open bucket as a point (averages; missing where no sample had a value). */
  private void flush() {
    var point = new HashMap<String, short[]>();
    for (var e : sums.entrySet()) {
      double[] sum = e.getValue();
      int[] count = counts.get(e.getKey());
      short[] v = new short[sum.length];
      for (int c = 0; c < sum.length; c++) {
        v[c] = count[c] == 0 ? Metric.MISSING : (short) Math.round(sum[c] / count[c]);
      }
      point.put(e.getKey(), v);
      Arrays.fill(sum, 0);
      Arrays.fill(count, 0);
    }
    append(bucketStart, point);
  }

  private void append(long t, Map<String, short[]> values) {
    int slot = next;
    times[slot] = t;
    for (var e : values.entrySet()) {
      short[][] cols = series.computeIfAbsent(e.getKey(), this::newSeries);
      short[] v = e.getValue();
      for (int c = 0; c < cols.length && c < v.length; c++) {
        cols[c][slot] = v[c];
      }
    }
    for (var e : series.entrySet()) {
      if (!values.containsKey(e.getKey())) {
        for (short[] col : e.getValue()) {
          col[slot] = Metric.MISSING;
        }
      }
    }
    next = (next + 1) % capacity;
    size = Math.min(size + 1, capacity);
  }

  private short[][] newSeries(String key) {
    int n = channels[key.startsWith("gpu:") ? 0 : 1];
    short[][] cols = new short[n][capacity];
    for (short[] col : cols) {
      Arrays.fill(col, Metric.MISSING);
    }
    return cols;
  }

  /** Bytes this ring holds, for the memory budget. */
  long bytes() {
    long b = (long) capacity * Long.BYTES;
    for (short[][] cols : series.values()) {
      b += (long) cols.length * capacity * Short.BYTES;
    }
    return b;
  }
}
