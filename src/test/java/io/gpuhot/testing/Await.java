package io.gpuhot.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Bounded waiting for conditions that become true over real sockets. */
public final class Await {
  private Await() {}

  /** Polls until the condition holds; fails with the message when the time is up. */
  public static void until(Duration limit, String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + limit.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + limit.toMillis() + " ms waiting for " + what);
      }
      sleep(20);
    }
  }

  /** Polls until the supplier gives a non-null value, and returns it. */
  public static <T> T value(Duration limit, String what, Supplier<T> supplier) {
    long deadline = System.nanoTime() + limit.toNanos();
    T v;
    while ((v = supplier.get()) == null) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + limit.toMillis() + " ms waiting for " + what);
      }
      sleep(20);
    }
    return v;
  }

  public static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }
}
