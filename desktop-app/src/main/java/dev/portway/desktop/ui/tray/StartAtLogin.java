package dev.portway.desktop.ui.tray;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The "Start at login" setting, kept where the desktop looks for it rather than in Portway's store: an XDG autostart
 * entry on Linux ({@code $XDG_CONFIG_HOME/autostart/portway.desktop}), a LaunchAgent on macOS
 * ({@code ~/Library/LaunchAgents/dev.portway.desktop.plist}), the {@code Run} key on Windows
 * ({@code HKCU\Software\Microsoft\Windows\CurrentVersion\Run}, value {@code Portway}, through {@code reg.exe}).
 * The command started is this app's own with {@code --tray} (start in the tray when there is one).
 *
 * <p>Blocking file and process I/O: call it off the FX thread. Errors come back as {@link IOException}s whose
 * message says what could not be written.
 */
public final class StartAtLogin {
    /** Which kind of desktop. */
    public enum Os { LINUX, MACOS, WINDOWS }

    static final String RUN_KEY = "HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run";
    static final String RUN_VALUE = "Portway";
    static final String AGENT_LABEL = "dev.portway.desktop";

    private final Os os;
    private final Path home;
    private final Path xdgConfigHome;
    private final List<String> command;

    /**
     * @param home          the user's home folder (macOS LaunchAgents live under it)
     * @param xdgConfigHome {@code $XDG_CONFIG_HOME}, or null for {@code ~/.config}
     * @param command       the program and arguments that start Portway
     */
    public StartAtLogin(Os os, Path home, Path xdgConfigHome, List<String> command) {
        this.os = os;
        this.home = home;
        this.xdgConfigHome = xdgConfigHome != null ? xdgConfigHome : home.resolve(".config");
        this.command = List.copyOf(command);
    }

    /** For this machine and this process: its OS, home, XDG_CONFIG_HOME and the command that started it. */
    public static StartAtLogin forThisApp() {
        String xdg = System.getenv("XDG_CONFIG_HOME");
        return new StartAtLogin(currentOs(), Path.of(System.getProperty("user.home")),
                xdg == null || xdg.isBlank() ? null : Path.of(xdg), thisCommand());
    }

    static Os currentOs() {
        String name = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        return name.startsWith("windows") ? Os.WINDOWS : name.startsWith("mac") ? Os.MACOS : Os.LINUX;
    }

    /** The installed launcher when run from a jpackage image; else this JVM with this class path. */
    static List<String> thisCommand() {
        List<String> c = new ArrayList<>();
        String launcher = System.getProperty("jpackage.app-path");
        if (launcher != null && !launcher.isBlank()) {
            c.add(launcher);
        } else {
            c.add(ProcessHandle.current().info().command().orElse("java"));
            c.add("-cp");
            c.add(System.getProperty("java.class.path"));
            c.add("dev.portway.desktop.PortwayDesktop");
        }
        c.add("--tray");
        return c;
    }

    /** Where the entry lives (the Windows registry key for Windows). */
    public String where() {
        return switch (os) {
            case LINUX -> desktopFile().toString();
            case MACOS -> plistFile().toString();
            case WINDOWS -> RUN_KEY + "\\" + RUN_VALUE;
        };
    }

    public boolean isEnabled() throws IOException {
        return switch (os) {
            case LINUX -> Files.isRegularFile(desktopFile());
            case MACOS -> Files.isRegularFile(plistFile());
            case WINDOWS -> run(List.of("reg", "query", RUN_KEY, "/v", RUN_VALUE)) == 0;
        };
    }

    public void enable() throws IOException {
        switch (os) {
            case LINUX -> write(desktopFile(), desktopEntry(command));
            case MACOS -> write(plistFile(), launchAgent(command));
            case WINDOWS -> check(run(windowsAdd(command)), "add " + RUN_VALUE + " to " + RUN_KEY);
        }
    }

    public void disable() throws IOException {
        switch (os) {
            case LINUX -> Files.deleteIfExists(desktopFile());
            case MACOS -> Files.deleteIfExists(plistFile());
            case WINDOWS -> {
                if (isEnabled()) {
                    check(run(List.of("reg", "delete", RUN_KEY, "/v", RUN_VALUE, "/f")), "remove " + RUN_VALUE + " from " + RUN_KEY);
                }
            }
        }
    }

    Path desktopFile() {
        return xdgConfigHome.resolve("autostart").resolve("portway.desktop");
    }

    Path plistFile() {
        return home.resolve("Library").resolve("LaunchAgents").resolve(AGENT_LABEL + ".plist");
    }

    // ---- what is written (pure, tested)

    /** An XDG autostart entry (Desktop Entry Specification 1.5; Exec quoting as it says). */
    static String desktopEntry(List<String> command) {
        String exec = command.stream().map(StartAtLogin::execArg).collect(Collectors.joining(" "));
        return """
                [Desktop Entry]
                Type=Application
                Name=Portway
                Comment=Keeps your tunnels up from the tray
                Exec=%s
                Icon=portway
                Terminal=false
                X-GNOME-Autostart-enabled=true
                """.formatted(exec);
    }

    private static String execArg(String a) {
        if (!a.isEmpty() && a.chars().noneMatch(ch -> " \t\n\"'\\><~|&;$*?#()`%=".indexOf(ch) >= 0)) {
            return a;
        }
        // Inside double quotes: escape " ` $ \ with a backslash; % is doubled (field codes).
        StringBuilder b = new StringBuilder("\"");
        for (char ch : a.toCharArray()) {
            if (ch == '"' || ch == '`' || ch == '$' || ch == '\\') {
                b.append('\\');
            }
            b.append(ch == '%' ? "%%" : String.valueOf(ch));
        }
        return b.append('"').toString();
    }

    /** A per-user LaunchAgent that runs the command once at login. */
    static String launchAgent(List<String> command) {
        String args = command.stream().map(a -> "        <string>" + xml(a) + "</string>\n").collect(Collectors.joining());
        return """
                <?xml version="1.0" encoding="UTF-8"?>
                <!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
                <plist version="1.0">
                <dict>
                    <key>Label</key>
                    <string>%s</string>
                    <key>ProgramArguments</key>
                    <array>
                %s    </array>
                    <key>RunAtLoad</key>
                    <true/>
                    <key>ProcessType</key>
                    <string>Interactive</string>
                </dict>
                </plist>
                """.formatted(AGENT_LABEL, args);
    }

    private static String xml(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    /** {@code reg add} of the Run value: the command line Windows runs at login, each argument quoted. */
    static List<String> windowsAdd(List<String> command) {
        String line = command.stream().map(a -> "\"" + a.replace("\"", "\\\"") + "\"").collect(Collectors.joining(" "));
        return List.of("reg", "add", RUN_KEY, "/v", RUN_VALUE, "/t", "REG_SZ", "/d", line, "/f");
    }

    // ---- I/O

    private static void write(Path file, String content) throws IOException {
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, content, StandardCharsets.UTF_8);
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private static int run(List<String> argv) throws IOException {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            if (!p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", argv.subList(0, 2)) + " did not finish within 10 s.");
            }
            return p.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("Interrupted.", e);
        }
    }

    private static void check(int exit, String what) throws IOException {
        if (exit != 0) {
            throw new IOException("Could not " + what + " (reg.exe exit code " + exit + ").");
        }
    }

    /** For a person: what was written where. */
    @Override
    public String toString() {
        return "StartAtLogin[" + os + ", " + where() + "]";
    }
}
