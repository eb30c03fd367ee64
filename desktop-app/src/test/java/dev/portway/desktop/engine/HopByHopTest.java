package dev.portway.desktop.engine;

import dev.portway.shared.protocol.Header;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class HopByHopTest {

    @Test
    void stripsHopByHopFieldsAndTheOnesConnectionNames() {
        List<Header> in = List.of(new Header("Content-Type", "text/plain"), new Header("Connection", "keep-alive, X-Secret"),
                new Header("Keep-Alive", "timeout=5"), new Header("Transfer-Encoding", "chunked"), new Header("x-secret", "1"),
                new Header("Set-Cookie", "a=1"), new Header("Set-Cookie", "b=2"), new Header("TE", "trailers"),
                new Header("Content-Length", "5"));

        assertThat(HopByHop.strip(in)).containsExactly(new Header("Content-Type", "text/plain"),
                new Header("Set-Cookie", "a=1"), new Header("Set-Cookie", "b=2"), new Header("Content-Length", "5"));
    }

    @Test
    void upgradeKeepsConnectionUpgradeAndUpgradeOnlyWhenAsked() {
        List<Header> in = List.of(new Header("Host", "a.localhost"), new Header("Connection", "keep-alive, Upgrade"),
                new Header("Upgrade", "websocket"), new Header("Sec-WebSocket-Key", "k"));

        assertThat(HopByHop.isUpgrade(in)).isTrue();
        assertThat(HopByHop.strip(in, true)).as("in place, as written").containsExactly(new Header("Host", "a.localhost"),
                new Header("Connection", "Upgrade"), new Header("Upgrade", "websocket"), new Header("Sec-WebSocket-Key", "k"));
        assertThat(HopByHop.strip(in, false)).containsExactly(new Header("Host", "a.localhost"), new Header("Sec-WebSocket-Key", "k"));
    }

    @Test
    void upgradeHeaderWithoutConnectionUpgradeIsNoUpgrade() {
        assertThat(HopByHop.isUpgrade(List.of(new Header("Upgrade", "websocket")))).isFalse();
        assertThat(HopByHop.isUpgrade(List.of(new Header("Connection", "upgrade")))).isFalse();
    }
}
