package dev.portway.desktop.relaysetup;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The relay archive on this computer: its version (from its name) and SHA-256. Either the plain one,
 * {@code relay-lite-<version>.tar.gz} (needs Java 25 on the server), or one with its own Java runtime for one
 * architecture, {@code relay-lite-<version>-linux-x64.tar.gz} ({@code installers/relay/build-runtime-archive.sh}).
 */
record Archive(Path file, String version, String sha256) {
    private static final Pattern NAME = Pattern.compile("relay-lite-([0-9][A-Za-z0-9.+-]*?)(?:-linux-(x64|aarch64))?\\.tar\\.gz");

    static Archive of(Path file) throws IOException {
        return new Archive(file, version(file), sha256(file));
    }

    /** The version in {@code relay-lite-<version>.tar.gz}, or null. */
    static String version(Path file) {
        Matcher m = NAME.matcher(file.getFileName().toString());
        return m.matches() ? m.group(1) : null;
    }

    /** The architecture of the Java runtime in {@code relay-lite-<version>-linux-<arch>.tar.gz} (x64, aarch64), or null. */
    static String runtimeArch(Path file) {
        Matcher m = NAME.matcher(file.getFileName().toString());
        return m.matches() ? m.group(2) : null;
    }

    /** The runtime architecture name for what {@code uname -m} says (x86_64, aarch64), or the machine name itself. */
    static String archOf(String unameMachine) {
        return switch (unameMachine.strip()) {
            case "x86_64", "amd64" -> "x64";
            case "aarch64", "arm64" -> "aarch64";
            default -> unameMachine.strip();
        };
    }

    String runtimeArch() {
        return runtimeArch(file);
    }

    static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[64 * 1024];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    String fileName() {
        return file.getFileName().toString();
    }
}
