package dev.portway.desktop.relaysetup;

import java.time.Duration;

/**
 * How one setup step went, shown like a Diagnostics step.
 *
 * @param detail       what was found or done; never a secret
 * @param hint         what the person can do; empty when nothing is needed
 * @param serverOutput the commands run on the server and what they printed (secrets replaced by ***)
 */
public record StepReport(String title, Outcome outcome, Duration duration, String detail, String hint,
                         String serverOutput) {

    public enum Outcome {
        /** Checked: nothing to change. */
        OK,
        /** Changed the server. */
        CHANGED,
        /** Done, but something needs the person's attention (e.g. a firewall). */
        WARNING,
        FAILED,
        /** Undone after a later step failed. */
        ROLLED_BACK,
        /** Could not be undone: the hint says what is left and what to do. */
        ROLLBACK_FAILED,
        /** Not run because an earlier step failed. */
        SKIPPED
    }

    public StepReport {
        detail = detail == null ? "" : detail;
        hint = hint == null ? "" : hint;
        serverOutput = serverOutput == null ? "" : serverOutput;
        duration = duration == null ? Duration.ZERO : duration;
    }

    /** One line for the CLI: {@code CHANGED  Install relay files (812 ms) — relay-lite 0.1.0}. */
    public String line() {
        String time = outcome == Outcome.SKIPPED ? "" : " (" + duration.toMillis() + " ms)";
        return String.format("%-15s %s%s%s%s", outcome, title, time, detail.isEmpty() ? "" : " — " + detail,
                hint.isEmpty() ? "" : "\n                hint: " + hint);
    }
}
