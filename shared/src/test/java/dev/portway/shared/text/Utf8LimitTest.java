package dev.portway.shared.text;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class Utf8LimitTest {

    private static int utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    @Test
    void textThatFitsIsKeptAsItIs() {
        String s = "a".repeat(123);
        assertThat(Utf8Limit.cut(s, 123)).isSameAs(s);
        assertThat(Utf8Limit.bytes("héllo", 6)).isEqualTo("héllo".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void longTextIsCutToTheByteLimitWithAnEllipsis() {
        String cut = Utf8Limit.cut("x".repeat(500), 123);

        assertThat(utf8(cut)).isEqualTo(123);
        assertThat(cut).isEqualTo("x".repeat(120) + "…");
    }

    @Test
    void nonAsciiTextIsCountedInBytesNotChars() {
        String reason = "Die Verbindung wurde geschlossen — Größe überschritten ".repeat(5); // under 300 chars, over 123 bytes
        assertThat(reason.length()).isLessThan(300);

        String cut = Utf8Limit.closeReason(reason);

        assertThat(utf8(cut)).isLessThanOrEqualTo(Utf8Limit.CLOSE_REASON_BYTES);
        assertThat(reason).startsWith(cut.substring(0, cut.length() - 1));
    }

    @Test
    void aCutNeverSplitsACharacter() {
        for (String ch : new String[]{"é", "€", "😀"}) {
            for (int limit = 1; limit < 20; limit++) {
                byte[] b = Utf8Limit.bytes(ch.repeat(10), limit);
                assertThat(b.length).isLessThanOrEqualTo(limit);
                assertThat(new String(b, StandardCharsets.UTF_8)).as(ch + " at " + limit).isEqualTo(ch.repeat(b.length / utf8(ch)));
                String cut = Utf8Limit.cut(ch.repeat(10), limit + 3);
                assertThat(utf8(cut)).isLessThanOrEqualTo(limit + 3);
                assertThat(cut).doesNotContain("\uFFFD");
            }
        }
    }

    @Test
    void aNullCloseReasonIsEmpty() {
        assertThat(Utf8Limit.closeReason(null)).isEmpty();
    }
}
