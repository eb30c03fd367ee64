package dev.portway.desktop.diagnostics;

import java.time.Duration;
import java.util.Objects;

/**
 * How one step of a diagnostics run went.
 *
 * @param detail what was found, e.g. {@code "127.0.0.1 (2 addresses)"} or why the step was skipped; never a secret
 * @param hint   what the person can do about a failure; empty when it passed
 */
public record StepResult(Check check, Outcome outcome, Duration duration, String detail, String hint) {

    public enum Outcome { PASS, FAIL, SKIPPED }

    public StepResult {
        Objects.requireNonNull(check, "check");
        Objects.requireNonNull(outcome, "outcome");
        duration = duration == null ? Duration.ZERO : duration;
        detail = detail == null ? "" : detail;
        hint = hint == null ? "" : hint;
    }

    /** One line for the plain-text report: {@code PASS  TCP connects (3 ms) — 127.0.0.1:8080}. */
    public String line() {
        String time = outcome == Outcome.SKIPPED ? "" : " (" + duration.toMillis() + " ms)";
        return String.format("%-7s %s%s%s%s", outcome, check.title(), time, detail.isEmpty() ? "" : " — " + detail,
                hint.isEmpty() ? "" : "\n        hint: " + hint);
    }
}
