package dev.portway.desktop.diagnostics;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

/** The plain-text report of a run, for a bug report: the app, the profile without secrets, each step. */
public final class DiagnosticReport {
    private DiagnosticReport() {
    }

    /**
     * @param profileSummary one line about the profile, e.g. {@code "My app" http localhost:3000}; never the token
     * @param target         the relay and local target checked; its token is not written
     */
    public static String format(AppInfo app, Instant at, String profileSummary, DiagnosticTarget target, List<StepResult> steps) {
        StringBuilder b = new StringBuilder();
        b.append("Portway diagnostics, ").append(at.truncatedTo(ChronoUnit.SECONDS)).append('\n');
        b.append(app.describe());
        b.append("Profile: ").append(profileSummary).append('\n');
        if (target != null) {
            b.append("Relay: ").append(target.relayForReport()).append('\n');
            b.append("Local target: ").append(target.kind()).append(' ').append(target.localTarget()).append('\n');
        }
        b.append('\n');
        for (StepResult s : steps) {
            b.append(s.line()).append('\n');
        }
        long failed = steps.stream().filter(s -> s.outcome() == StepResult.Outcome.FAIL).count();
        b.append('\n').append(failed == 0 ? "All checks passed." : failed + " check" + (failed == 1 ? "" : "s") + " failed.").append('\n');
        return b.toString();
    }
}
