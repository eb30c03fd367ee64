package dev.portway.desktop.relaysetup;

import dev.portway.desktop.relaysetup.Step.Check;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static dev.portway.desktop.relaysetup.Shell.q;

/**
 * Remove: stop the relay, then delete its unit, files and configuration; its data directory and system user stay
 * unless asked. Deleting cannot be undone, so the deleting steps come last and each is idempotent: after a failure the
 * report says what is left, and running Remove again finishes the job.
 */
final class RemoveSteps {
    private RemoveSteps() {
    }

    static List<Step> all(boolean removeData) {
        List<Step> steps = new ArrayList<>(List.of(
                Step.change("Stop relay", r -> ServiceControl.running(r) ? Check.needed("running")
                        : Check.done("not running"), RemoveSteps::stop, RemoveSteps::startAgain),
                Step.change("Remove service unit", RemoveSteps::unitCheck, RemoveSteps::removeUnit, null),
                Step.change("Remove relay files", r -> absent(r, r.layout.install(), r.layout.previous(), r.layout.staging()),
                        r -> gone(r, r.layout.install(), r.layout.previous(), r.layout.staging()), null),
                Step.change("Remove configuration", r -> absent(r, r.layout.configDir(), r.layout.startedMarker(), r.layout.pidFile()),
                        r -> gone(r, r.layout.configDir(), r.layout.startedMarker(), r.layout.pidFile()), null)));
        if (removeData) {
            steps.add(Step.change("Delete relay data", r -> absent(r, r.layout.data()), r -> gone(r, r.layout.data()), null));
            steps.add(Step.change("Remove system user portway", RemoveSteps::userCheck, RemoveSteps::removeUser, null));
        } else {
            steps.add(Step.checkOnly("Relay data", r -> Check.done(r.root("test -d " + q(r.layout.data())).ok()
                    ? "kept in " + r.layout.data() + " (and the system user portway): Remove with \"delete data\" to delete them"
                    : "none")));
        }
        return steps;
    }

    private static void stop(SetupRun run) throws IOException, SetupException {
        run.stopped = true;
        if (run.systemd) {
            run.root("systemctl disable " + ServerLayout.UNIT_NAME);
        }
        ServiceControl.stop(run);
    }

    private static void startAgain(SetupRun run) throws IOException, SetupException {
        if (run.stopped && run.root("test -x " + q(run.layout.launcher())).ok()) {
            if (run.systemd) {
                run.root("systemctl enable " + ServerLayout.UNIT_NAME);
            }
            ServiceControl.start(run);
        }
    }

    private static Check unitCheck(SetupRun run) throws IOException {
        if (!run.systemd) {
            return Check.done("none (the relay ran with its own launcher)");
        }
        return run.root("test -e " + q(run.layout.unit()) + " || test -e " + q(run.layout.dropInDir())).ok()
                ? Check.needed(run.layout.unit()) : Check.done("none");
    }

    private static void removeUnit(SetupRun run) throws IOException, SetupException {
        run.mustRoot("rm -f " + q(run.layout.unit()) + " " + q(run.layout.unitBackup()) + "; rm -rf " + q(run.layout.dropInDir())
                        + "; systemctl daemon-reload",
                "Could not remove " + run.layout.unit(), "Remove it on the server, then run Remove again.");
    }

    private static Check absent(SetupRun run, String... paths) throws IOException {
        StringBuilder test = new StringBuilder("true");
        for (String p : paths) {
            test.append(" && ! test -e ").append(q(p));
        }
        return run.root(test.toString()).ok() ? Check.done("none") : Check.needed(String.join(", ", paths));
    }

    private static void gone(SetupRun run, String... paths) throws IOException, SetupException {
        StringBuilder cmd = new StringBuilder("rm -rf");
        for (String p : paths) {
            cmd.append(' ').append(q(p));
        }
        run.mustRoot(cmd.toString(), "Could not delete " + String.join(", ", paths), "Delete them on the server, then run Remove again.");
    }

    private static String prefix(SetupRun run) {
        return run.layout.realRoot() ? "" : " --prefix " + q(run.layout.root());
    }

    private static Check userCheck(SetupRun run) throws IOException {
        ExecResult r = run.layout.realRoot() ? run.sh("getent passwd portway")
                : run.sh("grep '^portway:' " + q(run.layout.path("/etc/passwd")));
        return r.ok() ? Check.needed("portway") : Check.done("none");
    }

    private static void removeUser(SetupRun run) throws IOException, SetupException {
        run.mustRoot("userdel" + prefix(run) + " portway && { groupdel" + prefix(run) + " portway 2>/dev/null; true; }",
                "Could not remove the system user portway",
                "On the server: userdel portway.");
    }
}
