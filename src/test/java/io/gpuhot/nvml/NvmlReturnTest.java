package io.gpuhot.nvml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Return codes carry the header's numbers and names; one helper turns them into exceptions. */
final class NvmlReturnTest {
  @Test
  void of_mapsEveryCodeBackToItsConstant() {
    for (NvmlReturn r : NvmlReturn.values()) {
      assertThat(NvmlReturn.of(r.code())).isSameAs(r);
    }
    assertThat(NvmlReturn.values()).hasSize(32);
  }

  @Test
  void of_codeNewerThanThisBuild_isUnknown() {
    assertThat(NvmlReturn.of(31)).isEqualTo(NvmlReturn.UNKNOWN);
    assertThat(NvmlReturn.of(-5)).isEqualTo(NvmlReturn.UNKNOWN);
  }

  @Test
  void nvmlName_matchesTheHeader() {
    assertThat(NvmlReturn.SUCCESS.nvmlName()).isEqualTo("NVML_SUCCESS");
    assertThat(NvmlReturn.GPU_IS_LOST.nvmlName()).isEqualTo("NVML_ERROR_GPU_IS_LOST");
    assertThat(NvmlReturn.LIB_RM_VERSION_MISMATCH.code()).isEqualTo(18);
    assertThat(NvmlReturn.RESET_TYPE_NOT_SUPPORTED.code()).isEqualTo(30);
    assertThat(NvmlReturn.UNKNOWN.code()).isEqualTo(999);
  }

  @Test
  void predicates_classifyTheCodes() {
    assertThat(NvmlReturn.NOT_SUPPORTED.isNotSupported()).isTrue();
    assertThat(NvmlReturn.FUNCTION_NOT_FOUND.isPermanentlyUnavailable()).isTrue();
    assertThat(NvmlReturn.NO_PERMISSION.isPermanentlyUnavailable()).isFalse();
    assertThat(NvmlReturn.GPU_IS_LOST.isGpuLost()).isTrue();
    assertThat(NvmlReturn.RESET_REQUIRED.isDeviceFailure()).isTrue();
    assertThat(NvmlReturn.TIMEOUT.isTransient()).isTrue();
    assertThat(NvmlReturn.NOT_SUPPORTED.isTransient()).isFalse();
  }

  @Test
  void check_success_doesNotThrow() {
    assertThatCode(() -> NvmlException.check("nvmlInit_v2", 0)).doesNotThrowAnyException();
  }

  @Test
  void check_failure_namesTheFunctionAndTheCode() {
    assertThatThrownBy(() -> NvmlException.check("nvmlDeviceGetPowerUsage", 3))
        .isInstanceOfSatisfying(NvmlException.class, e -> {
          assertThat(e.function()).isEqualTo("nvmlDeviceGetPowerUsage");
          assertThat(e.code()).isEqualTo(NvmlReturn.NOT_SUPPORTED);
          assertThat(e.rawCode()).isEqualTo(3);
        })
        .hasMessage("nvmlDeviceGetPowerUsage: Not supported (NVML_ERROR_NOT_SUPPORTED)");
  }

  @Test
  void check_unrecognisedCode_keepsTheRawNumber() {
    assertThatThrownBy(() -> NvmlException.check("nvmlDeviceGetName", 42))
        .hasMessage("nvmlDeviceGetName: Unknown error (NVML error code 42)");
  }
}
