package io.gpuhot.nvml;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Sentinels become absent values; strings from the driver are decoded leniently. */
final class ReadingsTest {
  @Test
  void u32_blankMarkers_areAbsent() {
    assertThat(Readings.u32(0)).isZero();
    assertThat(Readings.u32(0x7FFF_FFEF)).isEqualTo(0x7FFF_FFEFL);
    assertThat(Readings.u32(0x7FFF_FFF0)).as("DCGM int32 blank").isNull();
    assertThat(Readings.u32(0xFFFF_FFFF)).as("all ones").isNull();
  }

  @Test
  void isBlank_coversInt64MarkersAndU64Max() {
    assertThat(Readings.isBlank(0)).isFalse();
    assertThat(Readings.isBlank(0x7FFF_FFFF_FFFF_FFEFL)).isFalse();
    assertThat(Readings.isBlank(0x7FFF_FFFF_FFFF_FFF0L)).as("DCGM int64 blank").isTrue();
    assertThat(Readings.isBlank(-1L)).as("NVML_VALUE_NOT_AVAILABLE").isTrue();
    assertThat(Readings.isBlank(Long.MIN_VALUE)).as("2^63 read as unsigned").isTrue();
  }

  @Test
  void celsius_outsideThePlausibleWindow_isAbsent() {
    assertThat(Readings.celsius(0)).isEqualTo(0.0);
    assertThat(Readings.celsius(150)).isEqualTo(150.0);
    assertThat(Readings.celsius(151)).isNull();
    assertThat(Readings.celsius(255)).isNull();
    assertThat(Readings.celsius(-256)).isNull();
  }

  @Test
  void percent_aboveHundred_isAbsent() {
    assertThat(Readings.percent(100)).isEqualTo(100.0);
    assertThat(Readings.percent(101)).isNull();
  }

  @Test
  void mib_convertsBytesAndRejectsBlanks() {
    assertThat(Readings.mib(81559L * 1024 * 1024)).isEqualTo(81559.0);
    assertThat(Readings.mib(-1L)).isNull();
  }

  @Test
  void watts_convertsMilliwatts() {
    assertThat(Readings.watts(631950)).isEqualTo(631.95);
    assertThat(Readings.watts(0)).isEqualTo(0.0);
    assertThat(Readings.watts(0xFFFF_FFFF)).isNull();
  }

  @Test
  void cString_stopsAtNulAndReplacesInvalidBytes() {
    byte[] buffer = new byte[16];
    byte[] text = {'A', '1', '0', '0', (byte) 0xFF, 0, 'x', 'y'};
    System.arraycopy(text, 0, buffer, 0, text.length);

    assertThat(Readings.cString(buffer)).isEqualTo("A100\uFFFD");
  }

  @Test
  void cString_withoutNul_usesTheWholeBuffer() {
    assertThat(Readings.cString("GPU-0001".getBytes(StandardCharsets.US_ASCII)))
        .isEqualTo("GPU-0001");
  }

  @Test
  void printable_mostlyGarbage_isAbsent() {
    assertThat(Readings.printable("\uFFFD\uFFFD\uFFFD")).isNull();
    assertThat(Readings.printable("ab\uFFFD\uFFFD")).isNull();
    assertThat(Readings.printable("abc\uFFFD\uFFFD")).isEqualTo("abc\uFFFD\uFFFD");
    assertThat(Readings.printable("  ")).isNull();
    assertThat(Readings.printable("Tesla\u0007K80")).isEqualTo("Tesla\uFFFDK80");
  }
}
