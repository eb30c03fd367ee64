package dev.portway.desktop.startup;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The class-data archive (AppCDS) the launchers ask for with {@code -XX:SharedArchiveFile=<cache dir>/portway-*.jsa
 * -XX:+AutoCreateSharedArchive}: the JVM maps it at start when it matches this JDK and class path (start-up then skips
 * most class loading and verification: about half the CPU to the first window), and writes it at exit when it is
 * missing or stale. It writes only into a folder that exists, and a failed write ends the process with "Error occurred
 * during initialization of VM" — so the app makes the folder: the first launch writes the archive when it quits, the
 * later ones start from it. Nothing happens without both flags (a plain {@code java} command, tests). The JVM
 * rewrites the archive only when it no longer matches (another JDK, another class path), so the run that writes it
 * first decides what is in it: a window-less {@code --self-test} or {@code --export} first leaves JavaFX out of it.
 */
public final class ClassArchive {
    private static final Logger LOG = LoggerFactory.getLogger(ClassArchive.class);
    private static final String FILE_FLAG = "-XX:SharedArchiveFile=";

    private ClassArchive() {
    }

    /** Makes the folder of the archive this JVM will write at exit, if it was asked to. Blocking file I/O: off the FX thread. */
    public static void prepare() {
        try {
            prepare(ManagementFactory.getRuntimeMXBean().getInputArguments());
        } catch (RuntimeException e) { // no management: the archive is an optimisation, never a reason to fail
            LOG.debug("JVM arguments not readable: {}", e.toString());
        }
    }

    static void prepare(List<String> jvmArgs) {
        archiveToWrite(jvmArgs).map(Path::toAbsolutePath).map(Path::getParent).ifPresent(dir -> {
            try {
                Files.createDirectories(dir);
            } catch (IOException e) {
                LOG.warn("cannot make {} for the start-up archive ({}); the next start will not be faster", dir, e.toString());
            }
        });
    }

    /**
     * The archive the JVM (re)writes at exit: the (last) {@code -XX:SharedArchiveFile} when {@code -XX:+AutoCreateSharedArchive}
     * is on; with a base and a top archive ({@code base.jsa:top.jsa}) the top one.
     */
    static Optional<Path> archiveToWrite(List<String> jvmArgs) {
        boolean auto = false;
        String file = null;
        for (String a : jvmArgs) {
            if (a.equals("-XX:+AutoCreateSharedArchive")) {
                auto = true;
            } else if (a.equals("-XX:-AutoCreateSharedArchive")) {
                auto = false;
            } else if (a.startsWith(FILE_FLAG)) {
                file = a.substring(FILE_FLAG.length());
            }
        }
        if (!auto || file == null || file.isBlank()) {
            return Optional.empty();
        }
        String[] parts = file.split(File.pathSeparator);
        return Optional.of(Path.of(parts[parts.length - 1]));
    }
}
