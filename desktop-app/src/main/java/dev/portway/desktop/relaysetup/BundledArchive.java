package dev.portway.desktop.relaysetup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The relay archive shipped beside the app in the folder of the app's jar: the installers put
 * {@code relay-lite-<version>-linux-<arch>.tar.gz} there (with its own Java runtime); one with a runtime is preferred
 * over a plain {@code relay-lite-<version>.tar.gz}.
 */
public final class BundledArchive {
    private BundledArchive() {
    }

    public static Optional<Path> find() {
        try {
            Path jar = Path.of(BundledArchive.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return in(Files.isDirectory(jar) ? jar : jar.getParent());
        } catch (java.net.URISyntaxException | SecurityException | NullPointerException e) {
            return Optional.empty();
        }
    }

    /** The relay archive in {@code folder}: one with its own runtime first, then by name. */
    static Optional<Path> in(Path folder) {
        try (Stream<Path> s = Files.list(folder)) {
            return s.filter(p -> Archive.version(p) != null && Files.isRegularFile(p))
                    .min(java.util.Comparator.comparing((Path p) -> Archive.runtimeArch(p) == null).thenComparing(Path::getFileName));
        } catch (IOException | SecurityException e) {
            return Optional.empty();
        }
    }
}
