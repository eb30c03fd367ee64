package dev.portway.desktop.ui.tray;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class StartAtLoginTest {
    private static final List<String> COMMAND = List.of("/opt/portway/bin/Portway", "--tray");

    @TempDir
    Path home;

    @Test
    void linuxWritesAndRemovesAnXdgAutostartEntryInXdgConfigHome() throws Exception {
        Path xdg = home.resolve("xdg-config");
        StartAtLogin s = new StartAtLogin(StartAtLogin.Os.LINUX, home, xdg, COMMAND);
        assertThat(s.isEnabled()).isFalse();

        s.enable();
        Path file = xdg.resolve("autostart/portway.desktop");
        assertThat(s.isEnabled()).isTrue();
        assertThat(Files.readString(file)).contains("[Desktop Entry]", "Type=Application", "Name=Portway",
                "Exec=/opt/portway/bin/Portway --tray", "X-GNOME-Autostart-enabled=true");
        assertThat(s.where()).isEqualTo(file.toString());

        s.disable();
        assertThat(file).doesNotExist();
        assertThat(s.isEnabled()).isFalse();
        s.disable(); // twice is fine
    }

    @Test
    void linuxWithoutXdgConfigHomeUsesDotConfig() {
        StartAtLogin s = new StartAtLogin(StartAtLogin.Os.LINUX, home, null, COMMAND);
        assertThat(s.where()).isEqualTo(home.resolve(".config/autostart/portway.desktop").toString());
    }

    @Test
    void desktopEntryQuotesArgumentsWithSpacesAsTheSpecSays() {
        String entry = StartAtLogin.desktopEntry(List.of("/home/ann/My Apps/java", "-cp", "a.jar:b $x.jar", "Main", "50%"));
        assertThat(entry).contains("Exec=\"/home/ann/My Apps/java\" -cp \"a.jar:b \\$x.jar\" Main \"50%%\"\n");
    }

    @Test
    void macosWritesAndRemovesALaunchAgent() throws Exception {
        StartAtLogin s = new StartAtLogin(StartAtLogin.Os.MACOS, home, null, List.of("/Applications/Portway.app/Contents/MacOS/Portway", "--tray"));
        s.enable();
        Path plist = home.resolve("Library/LaunchAgents/dev.portway.desktop.plist");
        assertThat(s.isEnabled()).isTrue();
        String xml = Files.readString(plist);
        assertThat(xml).startsWith("<?xml version=\"1.0\" encoding=\"UTF-8\"?>")
                .contains("<key>Label</key>\n    <string>dev.portway.desktop</string>")
                .contains("<array>\n        <string>/Applications/Portway.app/Contents/MacOS/Portway</string>\n"
                        + "        <string>--tray</string>\n    </array>")
                .contains("<key>RunAtLoad</key>\n    <true/>");
        s.disable();
        assertThat(plist).doesNotExist();
    }

    @Test
    void launchAgentEscapesXml() {
        assertThat(StartAtLogin.launchAgent(List.of("/a&b/<c>"))).contains("<string>/a&amp;b/&lt;c&gt;</string>");
    }

    @Test
    void windowsAddsTheRunValueWithEachArgumentQuoted() {
        assertThat(StartAtLogin.windowsAdd(List.of("C:\\Program Files\\Portway\\Portway.exe", "--tray")))
                .containsExactly("reg", "add", "HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run", "/v", "Portway",
                        "/t", "REG_SZ", "/d", "\"C:\\Program Files\\Portway\\Portway.exe\" \"--tray\"", "/f");
        assertThat(new StartAtLogin(StartAtLogin.Os.WINDOWS, home, null, COMMAND).where())
                .isEqualTo("HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run\\Portway");
    }

    @Test
    void theCommandStartsThisAppInTheTray() {
        assertThat(StartAtLogin.thisCommand()).last().isEqualTo("--tray");
        assertThat(StartAtLogin.thisCommand()).contains("dev.portway.desktop.PortwayDesktop");
    }
}
