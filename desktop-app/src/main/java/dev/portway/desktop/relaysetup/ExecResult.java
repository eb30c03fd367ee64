package dev.portway.desktop.relaysetup;

/** A remote command's exit code and output (stdout and stderr). */
public record ExecResult(int exitCode, String out, String err) {
    public boolean ok() {
        return exitCode == 0;
    }

    /** stdout and stderr together, trimmed, for messages. */
    public String output() {
        String o = out.strip();
        String e = err.strip();
        return o.isEmpty() ? e : e.isEmpty() ? o : o + "\n" + e;
    }
}
