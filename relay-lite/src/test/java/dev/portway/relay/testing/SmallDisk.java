package dev.portway.relay.testing;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A real small filesystem for disk-full tests: a tmpfs of a few MiB mounted on a folder (needs root and
 * the mount syscall, as on CI). Writing past its size fails with ENOSPC ("No space left on device"),
 * exactly as a full disk does. Where mounting is not allowed the test is skipped with the reason.
 */
public final class SmallDisk implements AutoCloseable {
    private final Path mountPoint;
    private final Path filler;

    private SmallDisk(Path mountPoint) {
        this.mountPoint = mountPoint;
        this.filler = mountPoint.resolve("filler");
    }

    /** Mounts a tmpfs of {@code mib} MiB on {@code mountPoint} (created if needed), or skips the test. */
    public static SmallDisk mount(Path mountPoint, int mib) throws Exception {
        Files.createDirectories(mountPoint);
        String why = run("mount", "-t", "tmpfs", "-o", "size=" + mib + "m", "tmpfs", mountPoint.toString());
        Assumptions.assumeTrue(why == null, () -> "Needs root to mount a " + mib + " MiB tmpfs for a real full disk: " + why);
        return new SmallDisk(mountPoint);
    }

    public Path path() {
        return mountPoint;
    }

    /** Fills every free byte with a filler file. */
    public void fill() throws IOException {
        byte[] mib = new byte[1 << 20];
        try (OutputStream out = Files.newOutputStream(filler, java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.APPEND)) {
            for (int size = mib.length; size > 0; size /= 2) {
                try {
                    while (true) {
                        out.write(mib, 0, size);
                        out.flush();
                    }
                } catch (IOException full) {
                    // this size no longer fits: try a smaller one
                }
            }
        } catch (IOException closeOnFullDisk) {
            // closing may fail once the disk is full; the filler stays as written
        }
        if (Files.getFileStore(mountPoint).getUsableSpace() > 0) {
            // the remaining space is smaller than a byte write's block: one more try byte by byte
            try (OutputStream out = Files.newOutputStream(filler, java.nio.file.StandardOpenOption.APPEND)) {
                while (true) {
                    out.write(0);
                    out.flush();
                }
            } catch (IOException full) {
                // full now
            }
        }
    }

    /** Remounts it read-only ({@code ro}) or writable again: writes then fail with EROFS, even as root. */
    public void readOnly(boolean ro) throws Exception {
        String why = run("mount", "-o", "remount," + (ro ? "ro" : "rw"), mountPoint.toString());
        if (why != null) {
            throw new IOException("Could not remount " + mountPoint + (ro ? " read-only: " : " writable: ") + why);
        }
    }

    /** Frees what {@link #fill} took. */
    public void free() throws IOException {
        Files.deleteIfExists(filler);
    }

    @Override
    public void close() throws Exception {
        String why = run("umount", "-l", mountPoint.toString());
        if (why != null) {
            throw new IOException("Could not unmount " + mountPoint + ": " + why);
        }
    }

    /** @return null on success, else what the command said */
    private static String run(String... command) throws Exception {
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            return e.getMessage();
        }
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return String.join(" ", command) + " did not finish within 30 s";
        }
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).trim();
        return p.exitValue() == 0 ? null : "exit " + p.exitValue() + (out.isEmpty() ? "" : ": " + out);
    }
}
