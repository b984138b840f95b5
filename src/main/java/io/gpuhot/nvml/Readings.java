package io.gpuhot.nvml;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Raw NVML numbers and strings to wire values. Sentinels become null, because a value that
 * means "not available" must never be charted as a reading.
 */
final class Readings {
  /** Lowest value treated as a 32-bit "blank" marker (DCGM's 0x7FFFFFF0 and up, NVML's ~0). */
  private static final long U32_BLANK = 0x7FFF_FFF0L;

  /** Lowest value treated as a 64-bit "blank" marker (DCGM's int64 markers, NVML's ~0). */
  private static final long U64_BLANK = 0x7FFF_FFFF_FFFF_FFF0L;

  private static final double MIB = 1024.0 * 1024.0;
  private static final int MIN_CELSIUS = -40;
  private static final int MAX_CELSIUS = 150;

  private Readings() {}

  /** An unsigned 32-bit reading, or null when it is a blank marker. */
  static Long u32(int raw) {
    long v = Integer.toUnsignedLong(raw);
    return v >= U32_BLANK ? null : v;
  }

  /** An unsigned 32-bit reading as a double, or null when it is a blank marker. */
  static Double u32Double(int raw) {
    Long v = u32(raw);
    return v == null ? null : v.doubleValue();
  }

  /** A percentage 0..100, or null when out of range. */
  static Double percent(int raw) {
    Long v = u32(raw);
    return v == null || v > 100 ? null : v.doubleValue();
  }

  /** Whether an unsigned 64-bit reading is a blank marker (including 2^64-1). */
  static boolean isBlank(long rawU64) {
    return Long.compareUnsigned(rawU64, U64_BLANK) >= 0;
  }

  /** An unsigned 64-bit reading, or null when it is a blank marker. */
  static Long u64(long raw) {
    return isBlank(raw) ? null : raw;
  }

  /** Bytes to MiB, or null for a blank marker. */
  static Double mib(long bytes) {
    return isBlank(bytes) ? null : bytes / MIB;
  }

  /**
   * Degrees Celsius, or null outside the plausible window: 255 and 510 are "no sensor" markers,
   * and -256 arrives as a huge unsigned value.
   */
  static Double celsius(int raw) {
    Long v = u32(raw);
    return v == null || v < MIN_CELSIUS || v > MAX_CELSIUS ? null : v.doubleValue();
  }

  /** Milliwatts to watts, or null for a blank marker. */
  static Double watts(int milliwatts) {
    Long v = u32(milliwatts);
    return v == null ? null : v / 1000.0;
  }

  /** Instance ids: all ones means "MIG is off". */
  static Integer instanceId(int raw) {
    Long v = u32(raw);
    return v == null ? null : v.intValue();
  }

  /**
   * A C string from a fixed buffer: bytes up to the first NUL, decoded as UTF-8 with invalid
   * sequences replaced, so a garbled driver answer cannot break the JSON stream.
   */
  static String cString(byte[] buffer) {
    int end = 0;
    while (end < buffer.length && buffer[end] != 0) {
      end++;
    }
    CharsetDecoder decoder =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPLACE)
            .onUnmappableCharacter(CodingErrorAction.REPLACE);
    try {
      CharBuffer chars = decoder.decode(ByteBuffer.wrap(buffer, 0, end));
      return chars.toString().strip();
    } catch (CharacterCodingException e) {
      throw new IllegalStateException("a replacing decoder reported an error", e);
    }
  }

  /**
   * A decoded string a person can read, or null: blank text, or text where replacement and
   * control characters outnumber the rest, is what a corrupted driver answer looks like.
   */
  static String printable(String text) {
    if (text == null || text.isBlank()) {
      return null;
    }
    int bad = 0;
    var clean = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); ) {
      int cp = text.codePointAt(i);
      i += Character.charCount(cp);
      boolean unreadable = cp == 0xFFFD || Character.isISOControl(cp) || !Character.isDefined(cp);
      bad += unreadable ? 1 : 0;
      clean.appendCodePoint(unreadable ? 0xFFFD : cp);
    }
    return bad * 2 >= clean.codePointCount(0, clean.length()) ? null : clean.toString();
  }
}
