package dev.portway.desktop.relaysetup;

import java.io.IOException;
import java.util.Objects;

/**
 * One idempotent setup step. {@link #check} looks without changing anything: done (nothing to do), or needed;
 * {@link #apply} makes the change (then the step is checked again and must be done); {@link #rollback} undoes what
 * this run changed in this step, and only that (it is also called for a step that failed half-way). A check-only step
 * has no apply: its check passes or throws.
 */
public final class Step {
    /** The result of a check. */
    public record Check(boolean done, String detail) {
        public static Check done(String detail) {
            return new Check(true, detail);
        }

        public static Check needed(String detail) {
            return new Check(false, detail);
        }
    }

    @FunctionalInterface
    public interface CheckAction {
        Check run(SetupRun run) throws SetupException, IOException;
    }

    @FunctionalInterface
    public interface Action {
        void run(SetupRun run) throws SetupException, IOException;
    }

    private final String title;
    private final CheckAction check;
    private final Action apply;
    private final Action rollback;
    private final boolean warnOnly;

    Step(String title, CheckAction check, Action apply, Action rollback, boolean warnOnly) {
        this.title = Objects.requireNonNull(title);
        this.check = Objects.requireNonNull(check);
        this.apply = apply;
        this.rollback = rollback;
        this.warnOnly = warnOnly;
    }

    static Step checkOnly(String title, CheckAction check) {
        return new Step(title, check, null, null, false);
    }

    static Step checkOnly(String title, CheckAction check, Action rollback) {
        return new Step(title, check, null, rollback, false);
    }

    static Step change(String title, CheckAction check, Action apply, Action rollback) {
        return new Step(title, check, Objects.requireNonNull(apply), rollback, false);
    }

    /** A check whose failure is shown as a warning and rolls nothing back (e.g. a firewall in the way). */
    static Step warning(String title, CheckAction check) {
        return new Step(title, check, null, null, true);
    }

    public String title() {
        return title;
    }

    public Check check(SetupRun run) throws SetupException, IOException {
        return check.run(run);
    }

    public boolean changes() {
        return apply != null;
    }

    public boolean warnOnly() {
        return warnOnly;
    }

    public void apply(SetupRun run) throws SetupException, IOException {
        if (apply != null) {
            apply.run(run);
        }
    }

    public void rollback(SetupRun run) throws SetupException, IOException {
        if (rollback != null) {
            rollback.run(run);
        }
    }

    /**
     * This step with {@code apply} replaced (same check and rollback): for tests that make a real step fail after
     * its real change, to prove the rollback.
     */
    public Step withApply(Action replacement) {
        return new Step(title, check, replacement, rollback, warnOnly);
    }

    /** This step with {@code check} replaced (same apply and rollback). */
    public Step withCheck(CheckAction replacement) {
        return new Step(title, replacement, apply, rollback, warnOnly);
    }
}
