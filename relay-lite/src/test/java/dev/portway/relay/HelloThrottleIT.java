package dev.portway.relay;

import dev.portway.relay.auth.LoginThrottle;
import dev.portway.relay.store.IdentityRecords;
import dev.portway.relay.store.Tier;
import dev.portway.relay.ingress.VisitorLimits;
import dev.portway.shared.protocol.ControlMessage;
import dev.portway.shared.protocol.Frame;
import dev.portway.shared.protocol.Json;
import dev.portway.shared.protocol.Protocol;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Token guessing over hellos is throttled per address, and unauthenticated sockets cost a bounded amount. */
class HelloThrottleIT {
    @TempDir
    Path tmp;
    Relay relay;

    Relay start(LoginThrottle.Policy policy, Duration helloTimeout) throws Exception {
        relay = Relay.start(RelayConfig.builder().port(0).bindHost("127.0.0.1").token("relay-secret").tcpPortFrom(0).tcpPortTo(0)
                .helloTimeout(helloTimeout).dataDir(tmp).identity(IdentityConfig.DEFAULTS.withThrottle(policy)).build());
        return relay;
    }

    @AfterEach
    void stop() {
        if (relay != null) {
            relay.shutdown(Duration.ofMillis(200));
        }
    }

    ControlMessage.Refused refused(String token) {
        try (ProtocolTestClient c = ProtocolTestClient.connect(relay, token, null)) {
            ControlMessage.Refused r = c.control(ControlMessage.Refused.class);
            await().atMost(Duration.ofSeconds(5)).until(() -> c.closeCode.get() != -1);
            return r;
        }
    }

    @Test
    void theRightTokenRightAfterAHundredWrongOnesIsRefusedUntilTheLockoutHasPassed() throws Exception {
        start(new LoginThrottle.Policy(5, Duration.ofMinutes(1), Duration.ofSeconds(2), Duration.ofSeconds(8), 64),
                Duration.ofSeconds(10));
        relay.store().identity().addUser("alice", Tier.FREE);
        String token = relay.store().identity().createToken("alice", "test").secret();
        List<String> codes = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            codes.add(refused("pw_wrong" + i).code());
        }
        // Five are checked, then one more each time a lockout (2 s, 4 s, 8 s...) has passed: a handful over the loop.
        assertThat(codes.subList(0, 5)).allMatch("bad_token"::equals);
        assertThat(codes.get(5)).isEqualTo("rate_limited");
        long checked = codes.stream().filter("bad_token"::equals).count();
        assertThat(checked).as("wrong tokens checked at all").isLessThanOrEqualTo(9);
        assertThat(codes.stream().filter("rate_limited"::equals).count()).isEqualTo(100 - checked);

        // In a lockout with at least a second left (a wrong token refused unchecked says so), the right token:
        java.util.concurrent.atomic.AtomicLong moreChecked = new java.util.concurrent.atomic.AtomicLong();
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            ControlMessage.Refused w = refused("pw_wrong");
            if (w.code().equals("bad_token")) {
                moreChecked.incrementAndGet(); // the lockout had just passed: this one was checked (and locks again)
            }
            return w.code().equals("rate_limited") && w.retryAfterMs() >= 1000;
        });
        long refusedAt = System.nanoTime();
        ControlMessage.Refused r = refused(token);
        assertThat(r.code()).as("the right token, unchecked during the lockout").isEqualTo("rate_limited");
        assertThat(r.retryAfterMs()).isPositive().isLessThanOrEqualTo(60_000);
        assertThat(r.message()).contains("Too many failed logins").contains("before trying again");

        // Once the lockout is over the right token is welcome.
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(250)).until(() -> {
            try (ProtocolTestClient c = ProtocolTestClient.connect(relay, token, null)) {
                dev.portway.shared.protocol.Frame f = c.next();
                return dev.portway.shared.protocol.Json.read(f.payload(), ControlMessage.class) instanceof ControlMessage.Welcome;
            }
        });
        assertThat(System.nanoTime() - refusedAt).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(r.retryAfterMs()) - 50_000_000);
        await().atMost(Duration.ofSeconds(5)).until(() -> relay.store().identity().audit(0, null, 1000).stream()
                .anyMatch(a -> a.event().equals("auth_success")));
        List<IdentityRecords.AuditRow> audit = relay.store().identity().audit(0, null, 1000);
        long failures = checked + moreChecked.get();
        assertThat(audit).filteredOn(a -> a.event().equals("auth_failure")).as("checked failures only").hasSize((int) failures);
        assertThat(audit).filteredOn(a -> a.event().equals("limit") && a.fieldsJson().contains("auth_failures"))
                .as("each lockout is audited once, not every refusal").hasSize((int) failures - 4);
        assertThat(counter(relay.metricsText(), "tunnel_rate_limit_hits_total{limit=\"auth_attempts\"}"))
                .isGreaterThanOrEqualTo(100 - checked);
    }

    static double counter(String metrics, String series) {
        return metrics.lines().filter(l -> l.startsWith(series + " ")).mapToDouble(l -> Double.parseDouble(l.substring(series.length() + 1)))
                .findFirst().orElse(-1);
    }

    @Test
    void helloChecksWaitingOnTheStoreAreBoundedTheRestAreToldTheRelayIsBusy() throws Exception {
        start(new LoginThrottle.Policy(5, Duration.ofMinutes(1), Duration.ofSeconds(1), Duration.ofSeconds(10), 2),
                Duration.ofSeconds(10));
        CountDownLatch release = new CountDownLatch(1);
        relay.store().async("hold the store thread", () -> { // the store's one thread is busy: checks queue behind it
            try {
                return release.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                return false;
            }
        });
        List<ProtocolTestClient> waiting = new ArrayList<>();
        try {
            for (int i = 0; i < 2; i++) {
                waiting.add(ProtocolTestClient.connect(relay, "relay-secret", null));
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> relay.accounts().throttle().pendingChecks() == 2);
            for (int i = 0; i < 3; i++) {
                ControlMessage.Refused r = refused("relay-secret");
                assertThat(r.code()).isEqualTo("rate_limited");
                assertThat(r.message()).contains("busy checking other logins");
                assertThat(r.retryAfterMs()).isEqualTo(LoginThrottle.BUSY_RETRY_MS);
            }
            release.countDown();
            for (ProtocolTestClient c : waiting) {
                c.control(ControlMessage.Welcome.class);
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> relay.accounts().throttle().pendingChecks() == 0);
        } finally {
            release.countDown();
            waiting.forEach(ProtocolTestClient::close);
        }
    }

    @Test
    void theHelloTimeoutClosesIdleSocketsAndSocketsWhoseCheckIsStuck() throws Exception {
        start(LoginThrottle.Policy.DEFAULTS, Duration.ofMillis(500));
        try (ProtocolTestClient idle = new ProtocolTestClient(relay.connectUrl())) {
            await().atMost(Duration.ofSeconds(5)).until(() -> idle.closeCode.get() == 1008);
        }
        CountDownLatch release = new CountDownLatch(1);
        relay.store().async("hold the store thread", () -> {
            try {
                return release.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                return false;
            }
        });
        try (ProtocolTestClient stuck = ProtocolTestClient.connect(relay, "relay-secret", null)) {
            await().atMost(Duration.ofSeconds(5)).until(() -> stuck.closeCode.get() == 1008);
            assertThat(stuck.closeReason).contains("No hello within");
        } finally {
            release.countDown();
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> relay.accounts().throttle().pendingChecks() == 0);
        assertThat(relay.sessionCount()).isZero();
    }

    /** A hello with {@code token} sent through a connection that claims to come from {@code forwardedFor}. */
    ControlMessage helloVia(String forwardedFor, String token) throws Exception {
        try (ProtocolTestClient c = new ProtocolTestClient(relay.connectUrl(), java.util.Map.of("X-Forwarded-For", forwardedFor))) {
            c.send(Frame.control(new ControlMessage.Hello(List.of(Protocol.VERSION), token, "test", null, null, null, null)));
            return Json.read(c.next().payload(), ControlMessage.class);
        }
    }

    static String code(ControlMessage m) {
        return m instanceof ControlMessage.Refused r ? r.code() : m.getClass().getSimpleName();
    }

    @Test
    void behindATrustedProxyOneAddressesGuessesDoNotLockOutTheOthers() throws Exception {
        relay = Relay.start(RelayConfig.builder().port(0).bindHost("127.0.0.1").token("relay-secret").tcpPortFrom(0).tcpPortTo(0)
                .visitorLimits(VisitorLimits.DEFAULTS.withTrustProxy(true)).dataDir(tmp)
                .identity(IdentityConfig.DEFAULTS.withThrottle(
                        new LoginThrottle.Policy(3, Duration.ofMinutes(1), Duration.ofSeconds(30), Duration.ofSeconds(30), 64)))
                .build());
        List<String> attacker = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            attacker.add(code(helloVia("203.0.113.9", "pw_wrong" + i)));
        }
        assertThat(attacker).containsExactly("bad_token", "bad_token", "bad_token", "rate_limited");
        // Every client reaches the relay through the same proxy socket address; the honest one is not locked out.
        assertThat(code(helloVia("198.51.100.7", "relay-secret"))).isEqualTo("Welcome");
        assertThat(code(helloVia("203.0.113.9", "relay-secret"))).as("the guesser stays locked out").isEqualTo("rate_limited");
    }

    @Test
    void withoutTrustProxyAForgedForwardedForDoesNotEscapeTheLockout() throws Exception {
        start(new LoginThrottle.Policy(3, Duration.ofMinutes(1), Duration.ofSeconds(30), Duration.ofSeconds(30), 64),
                Duration.ofSeconds(10));
        for (int i = 0; i < 3; i++) {
            assertThat(code(helloVia("203.0.113." + i, "pw_wrong" + i))).isEqualTo("bad_token");
        }
        assertThat(code(helloVia("198.51.100.7", "relay-secret"))).isEqualTo("rate_limited");
    }
}
