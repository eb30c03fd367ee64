package dev.portway.desktop.conformance;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

/** Which of the real programs the suite drives are installed (.ci/run installs them all). */
final class Tools {
    private Tools() {
    }

    /** True when {@code name} is an executable on PATH, or in /usr/sbin (nginx, sshd). */
    static boolean has(String name) {
        return find(name) != null;
    }

    static String find(String name) {
        String path = System.getenv().getOrDefault("PATH", "") + File.pathSeparator + "/usr/sbin" + File.pathSeparator + "/usr/bin";
        for (String dir : path.split(File.pathSeparator)) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        return null;
    }
}
