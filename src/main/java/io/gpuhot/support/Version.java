package io.gpuhot.support;

/** The product version, read from the jar manifest ("dev" when run from classes). */
public final class Version {
  private Version() {}

  public static String current() {
    String v = Version.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }

  /** The answer of {@code GET /api/version}: no network call; update checks are not made. */
  public static byte[] apiJson() {
    return ("{\"current\":\"" + current() + "\",\"latest\":null,\"update_available\":false,"
            + "\"release_url\":null}")
        .getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }
}
