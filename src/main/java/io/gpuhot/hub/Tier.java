package io.gpuhot.hub;

/**
 * How much of each node a dashboard is sent. The cluster view shows a card per GPU, the node
 * charts and a line of host figures, and needs a dozen fields; the detail view of one GPU shows
 * everything. A client is sent the card fields of the nodes it views and every field of the
 * nodes whose detail it has open, so bytes follow what is on the screen. The card fields are
 * listed in {@link StreamValues}.
 */
enum Tier {
  CARD,
  FULL;

  /** Whether this tier carries a GPU field ({@code system} false) or a host field. */
  boolean carries(StreamValues.Field f, boolean system) {
    if (f.skipped()) {
      return false;
    }
    return this == FULL || (system ? f.cardSystem() : f.cardGpu());
  }

  String wire() {
    return name().toLowerCase();
  }

  static Tier parse(String s, Tier fallback) {
    return switch (s) {
      case "card" -> CARD;
      case "full" -> FULL;
      default -> fallback;
    };
  }
}
