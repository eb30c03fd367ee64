package dev.portway.desktop.ui.common;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Opens URLs in the person's browser through JavaFX's HostServices — which, on Linux, fails silently when there is
 * nothing to open them with. So on Linux it first checks that {@code xdg-open} (or {@code $BROWSER}) exists, and
 * throws {@link IllegalStateException} with the reason in words when not; callers say so and offer the URL instead.
 */
public final class Browser implements Consumer<String> {
    private final Consumer<String> open;
    private final String missing;

    /** @param open the platform's opener (HostServices::showDocument) */
    public Browser(Consumer<String> open) {
        this(open, System.getProperty("os.name", ""), System.getenv());
    }

    Browser(Consumer<String> open, String osName, Map<String, String> env) {
        this.open = open;
        this.missing = osName.toLowerCase(Locale.ROOT).startsWith("linux") ? linuxProblem(env) : null;
    }

    /** Null when Linux can open a URL; else why not. */
    static String linuxProblem(Map<String, String> env) {
        String browser = env.get("BROWSER");
        if (browser != null && !browser.isBlank()) {
            return null;
        }
        String path = env.getOrDefault("PATH", "");
        for (String dir : path.split(java.io.File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "xdg-open"))) {
                return null;
            }
        }
        return "this system has no xdg-open and no $BROWSER";
    }

    @Override
    public void accept(String url) {
        if (missing != null) {
            throw new IllegalStateException(missing);
        }
        open.accept(url);
    }
}
