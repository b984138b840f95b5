package io.gpuhot.cli;

/** A setting has a value the program cannot use; the message names the setting and the value. */
public final class ConfigException extends RuntimeException {
  public ConfigException(String message) {
    super(message);
  }
}
