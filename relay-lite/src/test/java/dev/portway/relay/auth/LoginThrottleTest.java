package dev.portway.relay.auth;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class LoginThrottleTest {
    final AtomicLong now = new AtomicLong(1_000_000);
    final LoginThrottle t = new LoginThrottle(new LoginThrottle.Policy(3, Duration.ofSeconds(60), Duration.ofSeconds(1),
            Duration.ofSeconds(4), 2), now::get);

    @Test
    void theLockoutStartsAtTheFreeFailuresAndDoublesUpToTheCap() {
        assertThat(t.failed("ip:a", null)).isZero();
        assertThat(t.failed("ip:a", null)).isZero();
        assertThat(t.retryAfterMs("ip:a", null)).isZero();
        assertThat(t.failed("ip:a", null)).isEqualTo(1000);
        assertThat(t.retryAfterMs("ip:a", null)).isEqualTo(1000);
        assertThat(t.retryAfterMs("ip:b", null)).as("another address").isZero();
        now.addAndGet(1000);
        assertThat(t.retryAfterMs("ip:a", null)).isZero();
        assertThat(t.failed("ip:a", null)).isEqualTo(2000);
        now.addAndGet(2000);
        assertThat(t.failed("ip:a", null)).isEqualTo(4000);
        now.addAndGet(4000);
        assertThat(t.failed("ip:a", null)).as("capped").isEqualTo(4000);
    }

    @Test
    void failuresOlderThanTheWindowAreForgotten() {
        t.failed("ip:a", null);
        t.failed("ip:a", null);
        now.addAndGet(61_000);
        assertThat(t.failed("ip:a", null)).isZero();
        t.sweep();
        assertThat(t.size()).isEqualTo(1);
        now.addAndGet(61_000);
        t.sweep();
        assertThat(t.size()).isZero();
    }

    @Test
    void aSuccessResetsTheUsersCountButNotTheAddresss() {
        t.failed("ip:a", "alice");
        t.failed("ip:b", "alice");
        t.succeeded("alice");
        assertThat(t.failed("ip:c", "alice")).as("alice starts over").isZero();
        assertThat(t.failed("ip:a", null)).isZero();
        assertThat(t.failed("ip:a", null)).as("the address still counts its failures").isEqualTo(1000);
    }

    @Test
    void aUserLockedOutFromManyAddressesIsRefusedFromAnyAddress() {
        t.failed("ip:a", "alice");
        t.failed("ip:b", "alice");
        assertThat(t.failed("ip:c", "alice")).isEqualTo(1000);
        assertThat(t.retryAfterMs("ip:d", "alice")).isEqualTo(1000);
        assertThat(t.retryAfterMs("ip:d", "bob")).isZero();
    }

    @Test
    void checksInFlightAreBounded() {
        assertThat(t.tryBeginCheck()).isTrue();
        assertThat(t.tryBeginCheck()).isTrue();
        assertThat(t.tryBeginCheck()).isFalse();
        t.endCheck();
        assertThat(t.tryBeginCheck()).isTrue();
        assertThat(t.pendingChecks()).isEqualTo(2);
    }

    @Test
    void ipv6AddressesAreCountedPerSlash64() throws Exception {
        String a = LoginThrottle.addressKey(new InetSocketAddress(InetAddress.getByName("2001:db8:1:2::5"), 1));
        String b = LoginThrottle.addressKey(new InetSocketAddress(InetAddress.getByName("2001:db8:1:2:ffff::9"), 1));
        String c = LoginThrottle.addressKey(new InetSocketAddress(InetAddress.getByName("2001:db8:1:3::5"), 1));
        assertThat(a).isEqualTo(b).isNotEqualTo(c);
        assertThat(LoginThrottle.addressKey(new InetSocketAddress(InetAddress.getByName("10.0.0.1"), 1))).isEqualTo("ip:10.0.0.1");
    }
}
