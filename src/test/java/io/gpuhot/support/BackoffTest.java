package io.gpuhot.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

final class BackoffTest {

  @Test
  void delays_doubleUpToTheCap_andStayThereForever() {
    var rng = new SplittableRandom(1);
    var backoff = new Backoff(250, 5_000, rng::nextDouble);

    long first = backoff.nextDelayMillis();
    long second = backoff.nextDelayMillis();
    assertThat(first).isBetween(125L, 250L);
    assertThat(second).isBetween(250L, 500L);
    for (int i = 0; i < 100_000; i++) {
      assertThat(backoff.nextDelayMillis()).isBetween(0L, 5_000L);
    }
    long late = backoff.nextDelayMillis();
    assertThat(late).as("an hour of failures later").isBetween(2_500L, 5_000L);
  }

  @Test
  void jitter_spreadsManyClientsApart() {
    var rng = new SplittableRandom(2);
    var delays = new java.util.HashSet<Long>();
    for (int client = 0; client < 50; client++) {
      var b = new Backoff(250, 5_000, rng::nextDouble);
      for (int i = 0; i < 6; i++) {
        b.nextDelayMillis();
      }
      delays.add(b.nextDelayMillis());
    }
    assertThat(delays).hasSizeGreaterThan(40);
  }

  @Test
  void reset_startsFromTheBaseAgain() {
    var b = new Backoff(100, 1_000, () -> 1.0);
    for (int i = 0; i < 10; i++) {
      b.nextDelayMillis();
    }
    b.reset();

    assertThat(b.nextDelayMillis()).isEqualTo(100);
  }
}
