package dev.portway.desktop.relaysetup;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The two kinds of relay archive by name, the one the app picks beside itself, and what setup says of its runtime. */
class ArchiveTest {
    @Test
    void anArchiveWithItsOwnRuntimeNamesItsArchitectureAfterTheVersion() {
        Path x64 = Path.of("relay-lite-0.1.0-SNAPSHOT-linux-x64.tar.gz");
        assertThat(Archive.version(x64)).isEqualTo("0.1.0-SNAPSHOT");
        assertThat(Archive.runtimeArch(x64)).isEqualTo("x64");
        assertThat(Archive.version(Path.of("relay-lite-1.2.3-linux-aarch64.tar.gz"))).isEqualTo("1.2.3");
        assertThat(Archive.runtimeArch(Path.of("relay-lite-1.2.3-linux-aarch64.tar.gz"))).isEqualTo("aarch64");
        Path plain = Path.of("relay-lite-0.1.0-SNAPSHOT.tar.gz");
        assertThat(Archive.version(plain)).isEqualTo("0.1.0-SNAPSHOT");
        assertThat(Archive.runtimeArch(plain)).isNull();
        // an architecture nobody builds is part of no name we make: not an archive with a runtime
        assertThat(Archive.runtimeArch(Path.of("relay-lite-1.2.3-linux-riscv64.tar.gz"))).isNull();
    }

    @Test
    void theAppPrefersTheArchiveThatBringsItsOwnRuntime(@TempDir Path folder) throws Exception {
        Files.writeString(folder.resolve("relay-lite-0.1.0.tar.gz"), "plain");
        Files.writeString(folder.resolve("relay-lite-0.1.0-linux-x64.tar.gz"), "with runtime");
        Files.writeString(folder.resolve("portway.jar"), "jar");
        assertThat(BundledArchive.in(folder)).contains(folder.resolve("relay-lite-0.1.0-linux-x64.tar.gz"));
        Files.delete(folder.resolve("relay-lite-0.1.0-linux-x64.tar.gz"));
        assertThat(BundledArchive.in(folder)).contains(folder.resolve("relay-lite-0.1.0.tar.gz"));
        Files.delete(folder.resolve("relay-lite-0.1.0.tar.gz"));
        assertThat(BundledArchive.in(folder)).isEmpty();
    }

    @Test
    void preflightSaysWhetherTheServerCanUseTheArchivesRuntime(@TempDir Path folder) throws Exception {
        Path file = Files.writeString(folder.resolve("relay-lite-0.1.0-linux-x64.tar.gz"), "x");
        Archive withRuntime = Archive.of(file);
        assertThat(PreflightSteps.runtimeNote(withRuntime, "x86_64\n")).isEqualTo("; the archive brings its own Java runtime");
        assertThat(PreflightSteps.runtimeNote(withRuntime, "aarch64"))
                .isEqualTo("; the archive's Java runtime is for x64, so this aarch64 server needs a Java 25 of its own");
        Archive plain = Archive.of(Files.writeString(folder.resolve("relay-lite-0.1.0.tar.gz"), "x"));
        assertThat(PreflightSteps.runtimeNote(plain, "x86_64")).isEmpty();
        assertThat(PreflightSteps.runtimeNote(null, "x86_64")).isEmpty();
    }
}
