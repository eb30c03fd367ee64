package dev.portway.desktop.relaysetup;

import dev.portway.desktop.engine.RelayTrust;
import dev.portway.desktop.relaysetup.Step.Check;
import org.apache.sshd.client.session.forward.ExplicitPortForwardingTracker;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.portway.desktop.relaysetup.Shell.q;

/**
 * Install and upgrade, running: start the relay, read its certificate over SSH, wait for health, create the app's
 * account and token (over the SSH channel, never anywhere else), and check the relay is reachable from here.
 */
final class RunSteps {
    private static final Pattern TOKEN_LINE = Pattern.compile("Token (\\S+) for ");

    private RunSteps() {
    }

    static List<Step> all() {
        return List.of(
                Step.change("Start relay", RunSteps::startCheck, RunSteps::start, RunSteps::stopStarted),
                Step.checkOnly("TLS certificate", RunSteps::certificate),
                // Waiting changes nothing on the server: a check (a relay just restarted answers after a while).
                Step.checkOnly("Health", RunSteps::awaitHealth),
                Step.change("Relay account", RunSteps::accountCheck, RunSteps::addAccount, RunSteps::disableAccount),
                Step.change("API token", RunSteps::tokenCheck, RunSteps::createToken, RunSteps::revokeToken),
                Step.warning("Reachable from this computer", RunSteps::reachable));
    }

    private static Check startCheck(SetupRun run) throws IOException {
        if (ServiceControl.running(run) && ServiceControl.current(run)) {
            return Check.done("running the installed relay with the current configuration");
        }
        return Check.needed(run.wasRunning ? "restart" : "start");
    }

    private static void start(SetupRun run) throws IOException, SetupException {
        run.started = true;
        ServiceControl.start(run);
    }

    private static void stopStarted(SetupRun run) throws IOException, SetupException {
        if (run.started) {
            ServiceControl.stop(run);
        }
    }

    /** The self-signed certificate the relay made in its data directory, read over SSH: what the profile pins. */
    private static Check certificate(SetupRun run) throws IOException, SetupException {
        long deadline = System.nanoTime() + run.options.healthTimeout().toNanos();
        ExecResult r;
        while (!(r = run.root("cat " + q(run.layout.certificate()) + " 2>/dev/null")).ok() || r.out().isBlank()) {
            if (System.nanoTime() > deadline || !ServiceControl.running(run)) {
                throw new SetupException("The relay made no TLS certificate in " + run.layout.certificate() + ". Its log: "
                        + SetupRun.tail(ServiceControl.recentLog(run)), "Fix what the log says, then run the setup again.");
            }
            pause();
        }
        try {
            X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(r.out().getBytes(StandardCharsets.US_ASCII)));
            run.certificateFingerprint = RelayTrust.fingerprint(cert);
        } catch (CertificateException e) {
            throw new SetupException("The relay's certificate " + run.layout.certificate() + " cannot be read ("
                    + e.getMessage() + ").", "Remove it on the server and run the setup again: the relay makes a new one.", e);
        }
        return Check.done(run.certificateFingerprint + " (self-signed, will be pinned)");
    }

    private static boolean healthy(SetupRun run) throws IOException {
        try (ExplicitPortForwardingTracker fwd = run.ssh.forward(run.options.relayPort())) {
            return HealthProbe.status("127.0.0.1", fwd.getBoundAddress().getPort(), run.certificateFingerprint, 5000) == 200;
        } catch (IOException e) {
            return false;
        }
    }

    private static Check awaitHealth(SetupRun run) throws IOException, SetupException {
        long deadline = System.nanoTime() + run.options.healthTimeout().toNanos();
        while (!healthy(run)) {
            if (System.nanoTime() > deadline || !ServiceControl.running(run)) {
                throw new SetupException("The relay did not become healthy within " + run.options.healthTimeout().toSeconds()
                        + " s. Its log: " + SetupRun.tail(ServiceControl.recentLog(run)), "Fix what the log says, then run the setup again.");
            }
            pause();
        }
        return Check.done("200 from " + run.options.relayPort() + " on the server (through SSH)");
    }

    private static String accountState(SetupRun run) throws IOException, SetupException {
        ExecResult r = run.admin("users list");
        if (!r.ok()) {
            throw new SetupException("relay-lite users list failed: " + SetupRun.tail(r.output()), "");
        }
        for (String line : r.out().split("\n")) {
            String[] cols = line.strip().split("\\s+");
            if (cols.length >= 3 && cols[0].equals(run.options.account())) {
                return cols[2];
            }
        }
        return "absent";
    }

    private static Check accountCheck(SetupRun run) throws IOException, SetupException {
        String state = accountState(run);
        return state.equals("active") ? Check.done(run.options.account() + " (exists)") : Check.needed(state);
    }

    private static void addAccount(SetupRun run) throws IOException, SetupException {
        String state = accountState(run);
        String a = q(run.options.account());
        ExecResult r;
        if (state.equals("disabled")) {
            r = run.admin("users enable " + a);
            run.accountEnabled = r.ok();
        } else {
            r = run.admin("users add " + a + " --tier enterprise");
            run.accountAdded = r.ok();
        }
        if (!r.ok()) {
            throw new SetupException("Could not create the relay account " + run.options.account() + ": "
                    + SetupRun.tail(r.output()), "");
        }
    }

    /** relay-lite cannot delete a user: one this run made (or enabled) is disabled again. */
    private static void disableAccount(SetupRun run) throws IOException, SetupException {
        if (run.accountAdded || run.accountEnabled) {
            ExecResult r = run.admin("users disable " + q(run.options.account()));
            if (!r.ok()) {
                throw new SetupException("Could not disable the account " + run.options.account(), "On the server: relay-lite users disable "
                        + run.options.account());
            }
        }
    }

    static String tokenLabel(SetupRun run) {
        return "portway-app-setup";
    }

    private static Check tokenCheck(SetupRun run) throws IOException, SetupException {
        ExecResult r = run.admin("tokens list " + q(run.options.account()));
        if (!r.ok()) {
            throw new SetupException("relay-lite tokens list failed: " + SetupRun.tail(r.output()), "");
        }
        for (String line : r.out().split("\n")) {
            String[] cols = line.strip().split("\\s+");
            if (cols.length >= 3 && cols[1].equals(tokenLabel(run)) && cols[2].equals("valid")) {
                return Check.done("token " + cols[0] + " was made by an earlier setup; the profile made then keeps using it "
                        + "(revoke it on the server with relay-lite tokens revoke " + cols[0] + " to get a new one)");
            }
        }
        return Check.needed("new token");
    }

    private static void createToken(SetupRun run) throws IOException, SetupException {
        ExecResult r = run.adminSecret("tokens create " + q(run.options.account()) + " --label " + q(tokenLabel(run)));
        // "Token <id> for <user> ...:" then the secret on the next line (log lines may come before them).
        String[] lines = r.out().strip().split("\n");
        for (int i = 0; i + 1 < lines.length && r.ok(); i++) {
            Matcher m = TOKEN_LINE.matcher(lines[i]);
            if (m.find() && !lines[i + 1].isBlank()) {
                run.tokenId = m.group(1);
                run.token = lines[i + 1].strip();
                run.secret(run.token);
                return;
            }
        }
        // Secret or not, this output is not shown: the token, if any, cannot be told apart from the rest here.
        throw new SetupException("Could not create a token (relay-lite tokens create exited with " + r.exitCode() + ").", "");
    }

    private static void revokeToken(SetupRun run) throws IOException, SetupException {
        if (run.tokenId != null) {
            ExecResult r = run.admin("tokens revoke " + q(run.tokenId));
            if (!r.ok()) {
                throw new SetupException("Could not revoke token " + run.tokenId, "On the server: relay-lite tokens revoke " + run.tokenId);
            }
            run.token = null;
        }
    }

    private static Check reachable(SetupRun run) throws SetupException {
        String host = run.options.target().host();
        int port = run.options.relayPort();
        try {
            int status = HealthProbe.status(host, port, run.certificateFingerprint, 5000);
            if (status == 200) {
                return Check.done(run.relayUrl() + " answers");
            }
            throw new SetupException(run.relayUrl() + " answers " + status + " to a health check.", "");
        } catch (IOException e) {
            throw new SetupException("The relay runs, but " + host + ":" + port + " cannot be reached from this computer ("
                    + e.getMessage() + ").", "Open TCP port " + port + " (and the TCP tunnel ports " + run.options.tcpPorts()
                    + ") in the server's firewall or your provider's security group.");
        }
    }

    private static void pause() {
        try {
            Thread.sleep(Duration.ofMillis(250));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
