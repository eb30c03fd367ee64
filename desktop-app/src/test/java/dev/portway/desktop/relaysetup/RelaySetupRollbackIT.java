package dev.portway.desktop.relaysetup;

import dev.portway.desktop.relaysetup.SetupOptions.Mode;
import dev.portway.desktop.relaysetup.StepReport.Outcome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.portway.desktop.relaysetup.RelaySetupIT.freePort;
import static dev.portway.desktop.relaysetup.RelaySetupIT.lines;
import static dev.portway.desktop.relaysetup.RelaySetupIT.report;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A failure after each real step of an install (its real change made first) rolls the run back: the install root is
 * as before, no relay runs, and the report says which step failed and that the others were undone.
 */
class RelaySetupRollbackIT {

    @Test
    void aFailureAtEachStepOfAnInstallRollsBackEverythingTheRunChanged(@TempDir Path dir) throws Exception {
        try (SetupServer server = new SetupServer(dir)) {
            SetupOptions install = server.options(Mode.INSTALL, SetupServer.builtArchive(), freePort());
            List<Step> plan = RelaySetup.plan(install);
            Map<String, String> before = server.tree();
            int firstChange = indexOf(plan, "Upload archive");
            for (int i = firstChange; i < plan.size(); i++) {
                if (plan.get(i).warnOnly()) {
                    continue; // a warning rolls nothing back by design
                }
                RelaySetup.Result r = server.run(install, failingAt(plan, i));

                String why = "failure injected at " + plan.get(i).title() + lines(r);
                assertThat(r.ok()).as(why).isFalse();
                assertThat(r.ready()).isNull();
                StepReport failed = r.reports().get(i);
                assertThat(failed.outcome()).as(why).isEqualTo(Outcome.FAILED);
                assertThat(failed.detail()).as(why).contains("injected");
                for (int k = 0; k < i; k++) {
                    assertThat(r.reports().get(k).outcome()).as(why).isIn(Outcome.OK, Outcome.ROLLED_BACK);
                }
                assertThat(r.reports().subList(i + 1, r.reports().size())).as(why).allMatch(s -> s.outcome() == Outcome.SKIPPED);
                assertThat(server.tree()).as(why).isEqualTo(before);
                assertThat(server.path("/var/lib/portway-relay")).as(why).doesNotExist();
                assertThat(server.path("/run/portway-relay.pid")).as(why).doesNotExist();
            }
        }
    }

    @Test
    void aFailedUpgradePutsThePreviousRelayBackAndRunsIt(@TempDir Path dir) throws Exception {
        try (SetupServer server = new SetupServer(dir)) {
            int port = freePort();
            SetupOptions install = server.options(Mode.INSTALL, SetupServer.builtArchive(), port);
            assertThat(server.run(install).ok()).isTrue();
            String installed = Files.readString(server.path("/opt/portway-relay/.installed"));
            SetupOptions upgrade = install.withMode(Mode.UPGRADE).withArchive(SetupServer.otherArchive(dir.resolve("newer"), "0.1.1-test"));
            List<Step> plan = RelaySetup.plan(upgrade);

            RelaySetup.Result r = server.run(upgrade, failingAt(plan, indexOf(plan, "Health")));

            assertThat(r.ok()).isFalse();
            assertThat(report(r, "Install relay files").outcome()).as(lines(r)).isEqualTo(Outcome.ROLLED_BACK);
            assertThat(report(r, "Start relay").outcome()).as(lines(r)).isEqualTo(Outcome.ROLLED_BACK);
            assertThat(Files.readString(server.path("/opt/portway-relay/.installed"))).isEqualTo(installed);
            // The previous relay runs again, from its own files: a re-run of the install finds nothing to do.
            RelaySetup.Result again = server.run(install);
            assertThat(again.reports()).as(lines(again)).allMatch(s -> s.outcome() == Outcome.OK);
        }
    }

    /**
     * The plan with step {@code i} failing right after its real work: after its apply, or, when its first check
     * finds nothing to do (or it only checks), right after that check.
     */
    static List<Step> failingAt(List<Step> plan, int i) {
        List<Step> steps = new ArrayList<>(plan);
        Step real = plan.get(i);
        boolean[] applied = {false};
        steps.set(i, real
                .withCheck(run -> {
                    Step.Check c = real.check(run);
                    if (c.done() && !applied[0]) {
                        throw new SetupException("injected failure after checking " + real.title(), "");
                    }
                    return c;
                })
                .withApply(run -> {
                    applied[0] = true;
                    real.apply(run);
                    throw new SetupException("injected failure after " + real.title(), "");
                }));
        return steps;
    }

    static int indexOf(List<Step> plan, String title) {
        for (int i = 0; i < plan.size(); i++) {
            if (plan.get(i).title().equals(title)) {
                return i;
            }
        }
        throw new AssertionError("no step " + title);
    }
}
