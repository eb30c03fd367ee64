package dev.portway.desktop.startup;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class ClassArchiveTest {
    @Test
    void makesTheFolderTheJvmWritesTheArchiveIntoAtExit(@TempDir Path tmp) {
        Path archive = tmp.resolve("cache/portway/portway.jsa");

        ClassArchive.prepare(List.of("-Xmx256m", "-XX:SharedArchiveFile=" + archive, "-XX:+AutoCreateSharedArchive"));

        assertThat(archive.getParent()).isDirectory();
        assertThat(archive).doesNotExist(); // the JVM writes it, not the app
    }

    @Test
    void makesNothingWithoutAutoCreate(@TempDir Path tmp) throws Exception {
        Path archive = tmp.resolve("cache/portway.jsa");

        ClassArchive.prepare(List.of("-XX:SharedArchiveFile=" + archive));
        ClassArchive.prepare(List.of("-XX:SharedArchiveFile=" + archive, "-XX:+AutoCreateSharedArchive", "-XX:-AutoCreateSharedArchive"));

        try (var files = Files.list(tmp)) {
            assertThat(files).isEmpty();
        }
    }

    @Test
    void theLastFileFlagCountsAndOfABaseAndATopArchiveTheTop() {
        assertThat(ClassArchive.archiveToWrite(List.of("-XX:SharedArchiveFile=/a/one.jsa", "-XX:+AutoCreateSharedArchive",
                "-XX:SharedArchiveFile=/b/base.jsa" + File.pathSeparator + "/c/top.jsa"))).contains(Path.of("/c/top.jsa"));
        assertThat(ClassArchive.archiveToWrite(List.of("-XX:+AutoCreateSharedArchive"))).isEqualTo(Optional.empty());
    }

    @Test
    void aFolderThatCannotBeMadeIsLoggedNotThrown(@TempDir Path tmp) throws Exception {
        Path file = Files.writeString(tmp.resolve("not-a-folder"), "x");

        ClassArchive.prepare(List.of("-XX:SharedArchiveFile=" + file.resolve("portway.jsa"), "-XX:+AutoCreateSharedArchive"));

        assertThat(file).isRegularFile();
    }
}
