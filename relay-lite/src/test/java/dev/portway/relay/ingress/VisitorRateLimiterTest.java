package dev.portway.relay.ingress;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;

import static org.assertj.core.api.Assertions.assertThat;

class VisitorRateLimiterTest {
    static InetAddress ip(String s) throws Exception {
        return InetAddress.getByName(s);
    }

    @Test
    void eachAddressHasItsOwnAllowance() throws Exception {
        VisitorRateLimiter l = new VisitorRateLimiter(3, 100);
        for (int i = 0; i < 3; i++) {
            assertThat(l.acquire(ip("192.0.2.1")).allowed()).isTrue();
        }
        VisitorRateLimiter.Decision d = l.acquire(ip("192.0.2.1"));
        assertThat(d.allowed()).isFalse();
        assertThat(d.retryAfterSeconds()).isBetween(1L, 60L);
        assertThat(l.acquire(ip("192.0.2.2")).allowed()).isTrue();
    }

    @Test
    void ipv6VisitorsAreCountedPerSlash64() throws Exception {
        VisitorRateLimiter l = new VisitorRateLimiter(2, 100);
        assertThat(l.acquire(ip("2001:db8:0:1::1")).allowed()).isTrue();
        assertThat(l.acquire(ip("2001:db8:0:1::2")).allowed()).isTrue();
        assertThat(l.acquire(ip("2001:db8:0:1:ffff::3")).allowed()).isFalse(); // same /64
        assertThat(l.acquire(ip("2001:db8:0:2::1")).allowed()).isTrue();
        assertThat(l.size()).isEqualTo(2);
    }

    @Test
    void aFullTableSharesOneOverflowLimiterSoMemoryStaysBounded() throws Exception {
        VisitorRateLimiter l = new VisitorRateLimiter(2, 3);
        for (int i = 1; i <= 3; i++) {
            assertThat(l.acquire(ip("198.51.100." + i)).allowed()).isTrue();
        }
        assertThat(l.acquire(ip("198.51.100.10")).allowed()).isTrue(); // overflow: permit 1 of 2
        assertThat(l.acquire(ip("198.51.100.11")).allowed()).isTrue(); // overflow: permit 2 of 2
        assertThat(l.acquire(ip("198.51.100.12")).allowed()).isFalse(); // the overflow is limited too
        assertThat(l.size()).isEqualTo(3);
        l.sweep(); // nothing idle for two minutes yet
        assertThat(l.size()).isEqualTo(3);
    }
}
