package io.gpuhot.support;

import java.util.function.DoubleSupplier;

/**
 * Capped exponential back-off with jitter, for reconnect loops that must run forever without
 * synchronising many clients into one storm.
 *
 * <p>The n-th delay is drawn uniformly from {@code [d/2, d]} where {@code d = min(cap, base *
 * 2^n)}. {@link #reset()} after a success starts again from the base delay.
 */
public final class Backoff {
  private final long baseMillis;
  private final long capMillis;
  private final DoubleSupplier random;
  private int attempt;

  public Backoff(long baseMillis, long capMillis, DoubleSupplier random) {
    if (baseMillis <= 0 || capMillis < baseMillis) {
      throw new IllegalArgumentException(
          "back-off needs 0 < base <= cap, got base=" + baseMillis + " cap=" + capMillis);
    }
    this.baseMillis = baseMillis;
    this.capMillis = capMillis;
    this.random = random;
  }

  /** Returns the delay before the next attempt and counts the attempt. */
  public long nextDelayMillis() {
    long ceiling = ceiling(attempt);
    if (ceiling < capMillis) {
      attempt++;
    }
    long floor = ceiling / 2;
    return floor + (long) (random.getAsDouble() * (ceiling - floor));
  }

  /** Returns the upper bound of the delay for the given attempt number. */
  long ceiling(int n) {
    long d = baseMillis;
    for (int i = 0; i < n && d < capMillis; i++) {
      d *= 2;
    }
    return Math.min(d, capMillis);
  }

  public void reset() {
    attempt = 0;
  }

  public int attempts() {
    return attempt;
  }
}
