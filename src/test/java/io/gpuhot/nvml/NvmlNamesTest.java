package io.gpuhot.nvml;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The enum tables follow nvml.h; unknown values give no name rather than a guess. */
final class NvmlNamesTest {
  @Test
  void brand_usesTheHeaderNumbering() {
    assertThat(NvmlNames.brand(1)).isEqualTo("Quadro");
    assertThat(NvmlNames.brand(2)).isEqualTo("Tesla");
    assertThat(NvmlNames.brand(3)).isEqualTo("NVS");
    assertThat(NvmlNames.brand(4)).isEqualTo("GRID");
    assertThat(NvmlNames.brand(5)).isEqualTo("GeForce");
    assertThat(NvmlNames.brand(6)).isEqualTo("Titan");
    assertThat(NvmlNames.brand(12)).isEqualTo("Quadro RTX");
    assertThat(NvmlNames.brand(13)).isEqualTo("NVIDIA RTX");
    assertThat(NvmlNames.brand(14)).isEqualTo("NVIDIA");
    assertThat(NvmlNames.brand(16)).isEqualTo("Titan RTX");
  }

  @Test
  void brand_unknownOrUnassigned_isAbsent() {
    assertThat(NvmlNames.brand(0)).isNull();
    assertThat(NvmlNames.brand(17)).isNull();
    assertThat(NvmlNames.brand(-1)).isNull();
  }

  @Test
  void architecture_usesTheHeaderNumberingAndNeverGuesses() {
    assertThat(NvmlNames.architecture(2)).isEqualTo("Kepler");
    assertThat(NvmlNames.architecture(3)).isEqualTo("Maxwell");
    assertThat(NvmlNames.architecture(4)).isEqualTo("Pascal");
    assertThat(NvmlNames.architecture(5)).isEqualTo("Volta");
    assertThat(NvmlNames.architecture(6)).isEqualTo("Turing");
    assertThat(NvmlNames.architecture(7)).isEqualTo("Ampere");
    assertThat(NvmlNames.architecture(8)).isEqualTo("Ada Lovelace");
    assertThat(NvmlNames.architecture(9)).isEqualTo("Hopper");
    assertThat(NvmlNames.architecture(10)).isEqualTo("Blackwell");
    assertThat(NvmlNames.architecture(0)).isNull();
    assertThat(NvmlNames.architecture(11)).isNull();
    assertThat(NvmlNames.architecture(0xFFFFFFFF)).as("NVML_DEVICE_ARCH_UNKNOWN").isNull();
  }

  @Test
  void performanceState_includesP0AndRejectsUnknown() {
    assertThat(NvmlNames.performanceState(0)).isEqualTo("P0");
    assertThat(NvmlNames.performanceState(15)).isEqualTo("P15");
    assertThat(NvmlNames.performanceState(32)).isNull();
  }

  @Test
  void computeMode_includesDefault() {
    assertThat(NvmlNames.computeMode(0)).isEqualTo("Default");
    assertThat(NvmlNames.computeMode(1)).isEqualTo("Exclusive Thread");
    assertThat(NvmlNames.computeMode(2)).isEqualTo("Prohibited");
    assertThat(NvmlNames.computeMode(3)).isEqualTo("Exclusive Process");
    assertThat(NvmlNames.computeMode(4)).isNull();
  }

  @Test
  void clockReasons_decodesEveryBitButIdle() {
    assertThat(NvmlNames.clockReasons(0x1FF)).isEqualTo("Applications Clocks Setting,"
        + " SW Power Cap, HW Slowdown, Sync Boost, SW Thermal Slowdown, HW Thermal Slowdown,"
        + " HW Power Brake Slowdown, Display Clock Setting");
    assertThat(NvmlNames.clockReasons(0x8 | 0x40)).isEqualTo("HW Slowdown, HW Thermal Slowdown");
  }

  @Test
  void clockReasons_idleOrNothing_isNone() {
    assertThat(NvmlNames.clockReasons(0)).isEqualTo("None");
    assertThat(NvmlNames.clockReasons(0x1)).isEqualTo("None");
    assertThat(NvmlNames.clockReasons(0x1000)).as("a bit newer than this table").isEqualTo("None");
  }
}
