package dev.portway.desktop.diagnostics;

import dev.portway.shared.protocol.Protocol;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Properties;

/**
 * What this build and machine are, for the About box and diagnostics reports. The version comes from the build
 * ({@code version.properties}, filtered from the pom). Reads only system properties and a resource; no toolkit.
 *
 * @param javafx the JavaFX runtime version, or "not loaded" when the toolkit is not running (the CLI)
 */
public record AppInfo(String version, int protocol, String java, String javafx, String os, Path dataDir) {

    public static final String NAME = "Portway";
    /** The third-party parts this app ships, with their licenses. Portway's own repository has no license file yet. */
    public static final String LICENSES = "Built with OpenJFX (GPLv2 + Classpath Exception), AtlantaFX (MIT), Ikonli (Apache 2.0),"
            + " OkHttp, Netty, Jackson, Flyway, Failsafe, picocli (Apache 2.0), H2 (MPL 2.0 / EPL 1.0), SLF4J (MIT),"
            + " Logback (EPL 1.0 / LGPL 2.1).";

    public static AppInfo current(Path dataDir) {
        String fx = System.getProperty("javafx.runtime.version");
        return new AppInfo(buildVersion(), Protocol.VERSION,
                Runtime.version() + " (" + System.getProperty("java.vendor", "unknown vendor") + ")",
                fx == null ? "not loaded" : fx,
                System.getProperty("os.name") + " " + System.getProperty("os.version") + " (" + System.getProperty("os.arch") + ")",
                dataDir);
    }

    /** This build's version, e.g. {@code 0.1.0-SNAPSHOT}; "development build" when run without the build's resources. */
    public static String buildVersion() {
        try (InputStream in = AppInfo.class.getResourceAsStream("/dev/portway/desktop/version.properties")) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                String v = p.getProperty("version", "");
                if (!v.isBlank() && !v.startsWith("${")) {
                    return v;
                }
            }
        } catch (IOException ignored) {
            // fall through: the version is informational
        }
        return "development build";
    }

    /** The client name sent in hellos: {@code portway-desktop/0.1.0}. */
    public String clientName() {
        return "portway-desktop/" + version.toLowerCase(Locale.ROOT).replace(' ', '-');
    }

    /** The lines of a plain-text header: one fact per line. */
    public String describe() {
        return NAME + " " + version + "\n"
                + "Protocol: " + protocol + "\n"
                + "Java: " + java + "\n"
                + "JavaFX: " + javafx + "\n"
                + "OS: " + os + "\n"
                + "Data folder: " + dataDir + "\n";
    }
}
