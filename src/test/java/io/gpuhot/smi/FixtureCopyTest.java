package io.gpuhot.smi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The repository keeps its own copy of the shared nvidia-smi fixtures, so the parser tests run on
 * any checkout. Where the shared folder is present next to the checkout, the copy must match it,
 * so a fixture added or changed there is not silently missed here.
 */
final class FixtureCopyTest {

  @Test
  void copyInTheRepository_matchesTheSharedFixtures() throws IOException {
    Path shared = Path.of(System.getProperty("gpuhot.project.dir", "."), "..", "shared",
        "fixtures", "nvidia-smi");
    assumeTrue(Files.isDirectory(shared), "no shared fixture folder next to this checkout");
    try (Stream<Path> files = Files.list(shared)) {
      for (Path f : files.filter(p -> !p.toString().endsWith(".md")).toList()) {
        Path copy = Fixture.dir().resolve(f.getFileName().toString());
        assertThat(copy).as("copy of " + f.getFileName()).exists();
        assertThat(Files.readAllBytes(copy)).as(f.getFileName().toString())
            .isEqualTo(Files.readAllBytes(f));
      }
    }
  }
}
