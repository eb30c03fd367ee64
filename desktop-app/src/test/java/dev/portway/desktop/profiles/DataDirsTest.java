package dev.portway.desktop.profiles;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class DataDirsTest {
    @Test
    void flagWinsOverPropertyWhichWinsOverPlatform() {
        assertThat(DataDirs.resolve(List.of("--data-dir", "/x"), "/p", Map.of(), "Linux", "/home/a")).isEqualTo(Path.of("/x"));
        assertThat(DataDirs.resolve(List.of(), "/p", Map.of(), "Linux", "/home/a")).isEqualTo(Path.of("/p"));
    }

    @Test
    void eachPlatformUsesItsOwnPlace() {
        assertThat(DataDirs.resolve(List.of(), null, Map.of("XDG_DATA_HOME", "/xdg"), "Linux", "/home/a"))
                .isEqualTo(Path.of("/xdg/portway"));
        assertThat(DataDirs.resolve(List.of(), null, Map.of(), "Linux", "/home/a")).isEqualTo(Path.of("/home/a/.local/share/portway"));
        assertThat(DataDirs.resolve(List.of(), null, Map.of("APPDATA", "C:/Users/a/AppData/Roaming"), "Windows 11", "C:/Users/a"))
                .isEqualTo(Path.of("C:/Users/a/AppData/Roaming", "Portway"));
        assertThat(DataDirs.resolve(List.of(), null, Map.of(), "Mac OS X", "/Users/a"))
                .isEqualTo(Path.of("/Users/a/Library/Application Support/Portway"));
    }
}
