package dev.portway.shared.stream;

import dev.portway.shared.protocol.Header;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class HopByHopTest {

    @Test
    void stripsHopByHopFieldsAndTheOnesConnectionNamesKeepingOrderCaseAndRepeats() {
        List<Header> in = List.of(new Header("Content-Type", "text/plain"), new Header("Connection", "keep-alive, X-Secret"),
                new Header("Keep-Alive", "timeout=5"), new Header("Transfer-Encoding", "chunked"), new Header("x-secret", "1"),
                new Header("Set-Cookie", "a=1"), new Header("Set-Cookie", "b=2"), new Header("TE", "trailers"),
                new Header("Proxy-Authorization", "Basic x"), new Header("Trailer", "Expires"), new Header("Upgrade", "h2c"),
                new Header("Proxy-Connection", "keep-alive"), new Header("Content-Length", "5"));

        assertThat(HopByHop.strip(in)).containsExactly(new Header("Content-Type", "text/plain"),
                new Header("Set-Cookie", "a=1"), new Header("Set-Cookie", "b=2"), new Header("Content-Length", "5"));
    }

    @Test
    void fieldsNamedInAnyConnectionFieldAreDropped() {
        List<Header> in = List.of(new Header("Connection", "close"), new Header("X-A", "1"), new Header("connection", " X-A ,,"),
                new Header("Accept", "*/*"));

        assertThat(HopByHop.strip(in)).containsExactly(new Header("Accept", "*/*"));
    }

    @Test
    void anUpgradeKeepsUpgradeAndConnectionInItsPlaceWithOnlyTheUpgradeToken() {
        List<Header> in = List.of(new Header("Host", "a.localhost"), new Header("Connection", "keep-alive, Upgrade"),
                new Header("Upgrade", "websocket"), new Header("Sec-WebSocket-Key", "k"));

        assertThat(HopByHop.isUpgrade(in)).isTrue();
        assertThat(HopByHop.strip(in, true)).containsExactly(new Header("Host", "a.localhost"),
                new Header("Connection", "Upgrade"), new Header("Upgrade", "websocket"), new Header("Sec-WebSocket-Key", "k"));
        assertThat(HopByHop.strip(in, false)).containsExactly(new Header("Host", "a.localhost"), new Header("Sec-WebSocket-Key", "k"));
    }

    @Test
    void keepUpgradeWithoutConnectionUpgradeKeepsNeither() {
        List<Header> in = List.of(new Header("Connection", "close"), new Header("Upgrade", "websocket"), new Header("Host", "a"));

        assertThat(HopByHop.strip(in, true)).containsExactly(new Header("Host", "a"));
    }

    @Test
    void anUpgradeNeedsBothConnectionUpgradeAndAProtocolInUpgrade() {
        assertThat(HopByHop.isUpgrade(List.of(new Header("Upgrade", "websocket")))).isFalse();
        assertThat(HopByHop.isUpgrade(List.of(new Header("Connection", "upgrade")))).isFalse();
        assertThat(HopByHop.isUpgrade(List.of(new Header("Connection", "upgrade"), new Header("Upgrade", " "))))
                .as("an empty Upgrade names no protocol").isFalse();
        assertThat(HopByHop.isUpgrade(List.of(new Header("connection", "Keep-Alive, UPGRADE"), new Header("upgrade", "h2c")))).isTrue();
    }

    @Test
    void alwaysHopByHopIgnoresCase() {
        assertThat(HopByHop.isAlwaysHopByHop("Transfer-Encoding")).isTrue();
        assertThat(HopByHop.isAlwaysHopByHop("KEEP-ALIVE")).isTrue();
        assertThat(HopByHop.isAlwaysHopByHop("Content-Length")).isFalse();
    }
}
