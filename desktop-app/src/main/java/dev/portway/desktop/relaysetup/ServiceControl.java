package dev.portway.desktop.relaysetup;

import java.io.IOException;

import static dev.portway.desktop.relaysetup.Shell.q;

/**
 * Starts, stops and looks at the relay: with systemd ({@code portway-relay.service}), or, where systemd cannot run it
 * (no systemd, or an install root other than {@code /}), with the relay's own launcher as a background process of
 * the login user with a pid file and a log file under the install root.
 */
final class ServiceControl {
    private ServiceControl() {
    }

    static boolean running(SetupRun run) throws IOException {
        if (run.systemd) {
            return run.root("systemctl is-active --quiet " + ServerLayout.UNIT_NAME).ok();
        }
        return run.root("pid=$(cat " + q(run.layout.pidFile()) + " 2>/dev/null) && kill -0 \"$pid\" 2>/dev/null").ok();
    }

    /** Starts (or restarts) the relay and records what it was started from. */
    static void start(SetupRun run) throws IOException, SetupException {
        ServerLayout l = run.layout;
        if (run.systemd) {
            run.mustRoot("systemctl restart " + ServerLayout.UNIT_NAME, "systemd could not start the relay",
                    "See journalctl -u " + ServerLayout.UNIT_NAME + " on the server.");
        } else {
            stop(run);
            // Only the relay's own subshell goes to the background, all its output to the log: the SSH channel
            // closes as soon as the pid is written. $! is that subshell, which execs setsid, which execs the JVM.
            run.mustRoot("mkdir -p " + q(l.path("/run")) + " " + q(l.path("/var/log")) + " && cd / || exit 1; "
                            + "( set -a; . " + q(l.env()) + "; set +a; exec setsid " + q(l.launcher()) + " --config " + q(l.config())
                            + " ) </dev/null >>" + q(l.log()) + " 2>&1 & echo $! > " + q(l.pidFile()),
                    "The relay's launcher could not be started", "See " + l.log() + " on the server.");
        }
        run.mustRoot("cat " + q(l.installedMarker()) + " " + q(l.config()) + " | sha256sum | cut -c1-64 > "
                + q(l.startedMarker()), "Could not record what the relay runs", "");
    }

    /** Stops the relay (no-op when it is not running). */
    static void stop(SetupRun run) throws IOException, SetupException {
        ServerLayout l = run.layout;
        if (run.systemd) {
            run.mustRoot("systemctl stop " + ServerLayout.UNIT_NAME, "systemd could not stop the relay",
                    "See journalctl -u " + ServerLayout.UNIT_NAME + " on the server.");
        } else {
            // TERM, then wait up to 30 s (the relay drains gracefully), then KILL.
            run.mustRoot("pid=$(cat " + q(l.pidFile()) + " 2>/dev/null) || exit 0; kill \"$pid\" 2>/dev/null || { rm -f "
                    + q(l.pidFile()) + "; exit 0; }; i=0; while kill -0 \"$pid\" 2>/dev/null && [ $i -lt 300 ]; do sleep 0.1; "
                    + "i=$((i+1)); done; kill -9 \"$pid\" 2>/dev/null; rm -f " + q(l.pidFile()), "Could not stop the relay", "");
        }
        run.root("rm -f " + q(l.startedMarker()));
    }

    /** True when the running relay was started from the installed files and the current config. */
    static boolean current(SetupRun run) throws IOException {
        ServerLayout l = run.layout;
        return run.root("[ \"$(cat " + q(l.installedMarker()) + " " + q(l.config()) + " 2>/dev/null | sha256sum | cut -c1-64)\" = "
                + "\"$(cat " + q(l.startedMarker()) + " 2>/dev/null)\" ]").ok();
    }

    /** The relay's last log lines, for a failure message. */
    static String recentLog(SetupRun run) throws IOException {
        ExecResult r = run.systemd
                ? run.root("journalctl -u " + ServerLayout.UNIT_NAME + " -n 15 --no-pager -o cat")
                : run.root("tail -n 15 " + q(run.layout.log()));
        return run.redact(r.output());
    }
}
