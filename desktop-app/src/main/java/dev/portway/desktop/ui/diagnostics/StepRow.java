package dev.portway.desktop.ui.diagnostics;

import dev.portway.desktop.diagnostics.Check;
import dev.portway.desktop.diagnostics.StepResult;

/**
 * One line of the diagnostics list: a step still waiting or running, or its result.
 *
 * @param duration "12 ms", or empty while waiting and for skipped steps
 */
public record StepRow(Check check, State state, String duration, String detail, String hint) {

    public enum State { WAITING, RUNNING, PASS, FAIL, SKIPPED }

    static StepRow waiting(Check c) {
        return new StepRow(c, State.WAITING, "", "", "");
    }

    static StepRow running(Check c) {
        return new StepRow(c, State.RUNNING, "", "checking…", "");
    }

    static StepRow of(StepResult r) {
        State s = switch (r.outcome()) {
            case PASS -> State.PASS;
            case FAIL -> State.FAIL;
            case SKIPPED -> State.SKIPPED;
        };
        return new StepRow(r.check(), s, s == State.SKIPPED ? "" : r.duration().toMillis() + " ms", r.detail(), r.hint());
    }

    public String title() {
        return check.title();
    }
}
