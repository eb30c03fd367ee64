package dev.portway.desktop.relaysetup;

import dev.portway.desktop.relaysetup.SetupOptions.Mode;
import dev.portway.desktop.relaysetup.StepReport.Outcome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Sets up relay-lite on a server over SSH: {@link #plan} lists the steps of an install, upgrade or removal;
 * {@link #run} runs them in order, and when one fails, rolls back (newest first) what the run changed, then reports
 * the rest as skipped. Blocking: call it on a thread of its own (never the FX thread). Logs one line per step, never
 * a secret and never the server's output.
 */
public final class RelaySetup {
    private static final Logger log = LoggerFactory.getLogger(RelaySetup.class);
    private static final Duration SSH_TIMEOUT = Duration.ofSeconds(20);

    /** Progress of a run; called on the run's thread. A report of an index may come again (e.g. rolled back). */
    public interface Listener {
        default void started(int index, String title) {
        }

        default void finished(int index, StepReport report) {
        }
    }

    /** How a run ended. {@code ready} is set after a good install or upgrade. */
    public record Result(boolean ok, List<StepReport> reports, ReadyRelay ready) {
    }

    private RelaySetup() {
    }

    /** The steps of {@code options.mode()}, checks first. */
    public static List<Step> plan(SetupOptions options) {
        List<Step> steps = new ArrayList<>(PreflightSteps.all(options.mode()));
        if (options.mode() == Mode.REMOVE) {
            steps.addAll(RemoveSteps.all(options.removeData()));
        } else {
            steps.addAll(FileSteps.all());
            steps.addAll(RunSteps.all());
            steps.add(FileSteps.cleanUp());
        }
        return List.copyOf(steps);
    }

    public static Result run(SetupOptions options, HostKeyPins pins, SetupPrompts prompts, Listener listener) {
        return run(options, plan(options), pins, prompts, listener);
    }

    /** Runs {@code steps} (normally {@link #plan}). */
    public static Result run(SetupOptions options, List<Step> steps, HostKeyPins pins, SetupPrompts prompts, Listener listener) {
        List<StepReport> reports = new ArrayList<>();
        for (Step s : steps) {
            reports.add(new StepReport(s.title(), Outcome.SKIPPED, null, "", "", ""));
        }
        Archive archive;
        try {
            archive = options.mode() == Mode.REMOVE ? null : Archive.of(options.archive());
        } catch (IOException e) {
            reports.set(0, new StepReport(steps.getFirst().title(), Outcome.FAILED, null, "Cannot read the relay archive "
                    + options.archive() + " (" + e.getMessage() + ").", "Choose the archive again.", ""));
            return new Result(false, List.copyOf(reports), null);
        }
        try (SshConnection ssh = new SshConnection(options.target(), pins, prompts, SSH_TIMEOUT)) {
            SetupRun run = new SetupRun(options, ssh, archive);
            List<Integer> toUndo = new ArrayList<>();
            boolean failed = false;
            for (int i = 0; i < steps.size() && !failed; i++) {
                Step step = steps.get(i);
                listener.started(i, step.title());
                long t0 = System.nanoTime();
                StepReport report;
                try {
                    Step.Check before = step.check(run);
                    if (before.done()) {
                        report = report(step, Outcome.OK, t0, before.detail(), "", run);
                    } else {
                        toUndo.add(i); // before apply: a half-done step is rolled back too
                        step.apply(run);
                        Step.Check after = step.check(run);
                        if (!after.done()) {
                            throw new SetupException("\"" + step.title() + "\" did not take effect (" + after.detail() + ").", "");
                        }
                        report = report(step, Outcome.CHANGED, t0, after.detail(), "", run);
                    }
                    if (!toUndo.contains(i)) {
                        toUndo.add(i);
                    }
                } catch (SetupException e) {
                    report = report(step, step.warnOnly() ? Outcome.WARNING : Outcome.FAILED, t0, run.redact(e.getMessage()),
                            e.hint(), run);
                    failed = !step.warnOnly();
                } catch (IOException | RuntimeException e) {
                    report = report(step, Outcome.FAILED, t0, "Lost the connection to the server or a command failed ("
                            + run.redact(String.valueOf(e.getMessage())) + ").", "Check the connection and run the setup again.", run);
                    failed = true;
                }
                reports.set(i, report);
                log.info("relay setup {} {}: {}", options.target().hostPort(), report.outcome(), report.title());
                listener.finished(i, report);
            }
            if (failed) {
                rollBack(run, steps, toUndo, reports, listener);
            }
            boolean ok = !failed;
            ReadyRelay ready = ok && options.mode() != Mode.REMOVE
                    ? new ReadyRelay(run.relayUrl(), options.account(), run.token, run.certificateFingerprint) : null;
            return new Result(ok, List.copyOf(reports), ready);
        }
    }

    private static void rollBack(SetupRun run, List<Step> steps, List<Integer> toUndo, List<StepReport> reports, Listener listener) {
        for (int k = toUndo.size() - 1; k >= 0; k--) {
            int i = toUndo.get(k);
            Step step = steps.get(i);
            StepReport was = reports.get(i);
            long t0 = System.nanoTime();
            StepReport now;
            try {
                step.rollback(run);
                if (was.outcome() != Outcome.CHANGED && was.outcome() != Outcome.FAILED) {
                    run.takeOutput();
                    continue; // a check: nothing of its own to undo
                }
                now = was.outcome() == Outcome.FAILED
                        ? new StepReport(was.title(), Outcome.FAILED, was.duration(), was.detail() + " What it had changed is undone.",
                        was.hint(), was.serverOutput() + "--- rollback ---\n" + run.takeOutput())
                        : new StepReport(was.title(), Outcome.ROLLED_BACK, Duration.ofNanos(System.nanoTime() - t0),
                        "undone (was: " + was.detail() + ")", "", was.serverOutput() + "--- rollback ---\n" + run.takeOutput());
            } catch (SetupException | IOException | RuntimeException e) {
                String hint = e instanceof SetupException se ? se.hint() : "Check the server by hand, then run the setup again.";
                now = new StepReport(was.title(), Outcome.ROLLBACK_FAILED, Duration.ofNanos(System.nanoTime() - t0),
                        "could not be undone: " + run.redact(String.valueOf(e.getMessage())), hint,
                        was.serverOutput() + "--- rollback ---\n" + run.takeOutput());
            }
            reports.set(i, now);
            log.info("relay setup {} {}: {}", run.options.target().hostPort(), now.outcome(), now.title());
            listener.finished(i, now);
        }
    }

    private static StepReport report(Step step, Outcome outcome, long t0, String detail, String hint, SetupRun run) {
        return new StepReport(step.title(), outcome, Duration.ofNanos(System.nanoTime() - t0), detail, hint, run.takeOutput());
    }
}
