package dev.portway.desktop.profiles;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Where the desktop app keeps its data. In order: {@code --data-dir DIR}, the system property
 * {@code portway.dataDir}, then the platform's place for application data:
 * {@code $XDG_DATA_HOME/portway} or {@code ~/.local/share/portway} on Linux,
 * {@code %APPDATA%/Portway} on Windows, {@code ~/Library/Application Support/Portway} on macOS.
 */
public final class DataDirs {
    public static final String PROPERTY = "portway.dataDir";

    private DataDirs() {
    }

    public static Path resolve(List<String> args) {
        return resolve(args, System.getProperty(PROPERTY), System.getenv(), System.getProperty("os.name", ""),
                System.getProperty("user.home", "."));
    }

    static Path resolve(List<String> args, String property, Map<String, String> env, String osName, String home) {
        int i = args.indexOf("--data-dir");
        if (i >= 0 && i + 1 < args.size()) {
            return Path.of(args.get(i + 1));
        }
        if (property != null && !property.isBlank()) {
            return Path.of(property);
        }
        String os = osName.toLowerCase(Locale.ROOT);
        if (os.startsWith("windows")) {
            String appData = env.get("APPDATA");
            return appData != null && !appData.isBlank() ? Path.of(appData, "Portway")
                    : Path.of(home, "AppData", "Roaming", "Portway");
        }
        if (os.startsWith("mac")) {
            return Path.of(home, "Library", "Application Support", "Portway");
        }
        String xdg = env.get("XDG_DATA_HOME");
        return xdg != null && !xdg.isBlank() ? Path.of(xdg, "portway") : Path.of(home, ".local", "share", "portway");
    }
}
