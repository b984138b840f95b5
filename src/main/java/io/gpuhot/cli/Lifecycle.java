package io.gpuhot.cli;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Keeps a server command alive until the process is asked to stop, then closes what it opened. */
final class Lifecycle {
  private static final Logger log = LoggerFactory.getLogger(Lifecycle.class);

  private Lifecycle() {}

  /** Blocks until SIGINT or SIGTERM; closes the resources in reverse order of opening. */
  static int runUntilStopped(List<AutoCloseable> resources) {
    var done = new CountDownLatch(1);
    var reversed = new ArrayList<>(resources);
    Collections.reverse(reversed);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  log.info("shutting down");
                  for (var r : reversed) {
                    try {
                      r.close();
                    } catch (Exception e) {
                      log.warn("error while closing {}", r, e);
                    }
                  }
                  done.countDown();
                },
                "gpu-hot-shutdown"));
    try {
      done.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 0;
  }
}
