package dev.portway.desktop.relaysetup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;

/** The relay archive shipped beside the app: {@code relay-lite-<version>.tar.gz} in the folder of the app's jar. */
public final class BundledArchive {
    private BundledArchive() {
    }

    public static Optional<Path> find() {
        try {
            Path jar = Path.of(BundledArchive.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path folder = Files.isDirectory(jar) ? jar : jar.getParent();
            try (Stream<Path> s = Files.list(folder)) {
                return s.filter(p -> Archive.version(p) != null).findFirst();
            }
        } catch (IOException | java.net.URISyntaxException | SecurityException | NullPointerException e) {
            return Optional.empty();
        }
    }
}
