package dev.portway.desktop.ui.common;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BrowserTest {
    @TempDir
    Path bin;

    @Test
    void linuxWithoutXdgOpenOrBrowserSaysSoInsteadOfFailingSilently() {
        List<String> opened = new ArrayList<>();
        Browser b = new Browser(opened::add, "Linux", Map.of("PATH", bin.toString()));
        assertThatThrownBy(() -> b.accept("http://x.localhost/")).isInstanceOf(IllegalStateException.class)
                .hasMessage("this system has no xdg-open and no $BROWSER");
        assertThat(opened).isEmpty();
    }

    @Test
    void linuxWithXdgOpenOnThePathOpens() throws Exception {
        Files.createFile(bin.resolve("xdg-open"), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        List<String> opened = new ArrayList<>();
        new Browser(opened::add, "Linux", Map.of("PATH", "/nonexistent:" + bin)).accept("http://x.localhost/");
        new Browser(opened::add, "Linux", Map.of("BROWSER", "firefox")).accept("http://y.localhost/");
        new Browser(opened::add, "Windows 11", Map.of()).accept("http://z.localhost/");
        assertThat(opened).containsExactly("http://x.localhost/", "http://y.localhost/", "http://z.localhost/");
    }
}
