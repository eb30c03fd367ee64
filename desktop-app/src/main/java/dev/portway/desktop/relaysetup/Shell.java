package dev.portway.desktop.relaysetup;

/** POSIX shell quoting for the commands sent to the server. */
final class Shell {
    private Shell() {
    }

    /** {@code s} as one single-quoted shell word. */
    static String q(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }
}
