package dev.portway.relay.console;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** Console sign-in sessions: cookie attributes, idle and absolute expiry, ending all of a user's. */
class ConsoleSessionsTest {
    final AtomicLong now = new AtomicLong(1_000_000);

    @Test
    void aSessionEndsAfterItsIdleTimeButRequestsKeepItAlive() {
        ConsoleSessions s = new ConsoleSessions(false, now::get);
        ConsoleSessions.Session a = s.create("alice");
        String cookie = ConsoleSessions.COOKIE + "=" + a.id();
        now.addAndGet(ConsoleSessions.IDLE.toMillis() - 1);
        assertThat(s.find("other=1; " + cookie)).isEqualTo(a);
        now.addAndGet(ConsoleSessions.IDLE.toMillis() - 1);
        assertThat(s.find(cookie)).isEqualTo(a);
        now.addAndGet(ConsoleSessions.IDLE.toMillis() + 1);
        assertThat(s.find(cookie)).isNull();
    }

    @Test
    void aSessionEndsAfterItsAbsoluteLifetimeWhateverItsUse() {
        ConsoleSessions s = new ConsoleSessions(false, now::get);
        String cookie = ConsoleSessions.COOKIE + "=" + s.create("alice").id();
        long step = ConsoleSessions.IDLE.toMillis() / 2;
        for (long t = 0; t < ConsoleSessions.ABSOLUTE.toMillis() - step; t += step) {
            now.addAndGet(step);
            assertThat(s.find(cookie)).isNotNull();
        }
        now.addAndGet(2 * step);
        assertThat(s.find(cookie)).isNull();
    }

    @Test
    void theCookieIsHttpOnlyStrictAndSecureOnlyUnderTls() {
        assertThat(new ConsoleSessions(false).setCookie(new ConsoleSessions(false).create("a")))
                .contains("HttpOnly", "SameSite=Strict").doesNotContain("Secure");
        assertThat(new ConsoleSessions(true).setCookie(new ConsoleSessions(true).create("a"))).endsWith("; Secure");
        assertThat(new ConsoleSessions(true).clearCookie()).contains("Max-Age=0");
    }

    @Test
    void unknownOrMalformedCookiesFindNothingAndEndingAUserEndsAllTheirSessions() {
        ConsoleSessions s = new ConsoleSessions(false, now::get);
        ConsoleSessions.Session a1 = s.create("alice");
        s.create("alice");
        ConsoleSessions.Session b = s.create("bob");
        assertThat(s.find(null)).isNull();
        assertThat(s.find(ConsoleSessions.COOKIE + "=")).isNull();
        assertThat(s.find(ConsoleSessions.COOKIE + "=made-up")).isNull();
        assertThat(s.endAllOf("alice")).isEqualTo(2);
        assertThat(s.find(ConsoleSessions.COOKIE + "=" + a1.id())).isNull();
        assertThat(s.find(ConsoleSessions.COOKIE + "=" + b.id())).isEqualTo(b);
        assertThat(b.csrfMatches(b.csrf())).isTrue();
        assertThat(b.csrfMatches(a1.csrf())).isFalse();
        assertThat(b.csrfMatches(null)).isFalse();
    }

    @Test
    void pathParametersKeepAPlusAndDecodeAnEncodedSlash() {
        assertThat(Router.decode("SHA256%3Aab%2Bc%2Fd")).isEqualTo("SHA256:ab+c/d");
        assertThat(Router.decode("a+b")).isEqualTo("a+b");
        assertThat(Router.decode("100%")).isEqualTo("100%");
    }
}
