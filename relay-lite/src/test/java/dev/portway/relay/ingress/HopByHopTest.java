package dev.portway.relay.ingress;

import dev.portway.shared.protocol.Header;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The relay's side of the shared hop-by-hop rules (dev.portway.shared.stream.HopByHop) on Netty's headers. */
class HopByHopTest {

    @Test
    void anUpgradeKeepsConnectionInItsPlaceAsTheVisitorWroteIt() {
        HttpHeaders h = new DefaultHttpHeaders().add("Host", "a").add("Connection", "keep-alive, Upgrade")
                .add("Upgrade", "websocket").add("Sec-WebSocket-Key", "k");

        assertThat(HopByHop.isUpgrade(h)).isTrue();
        assertThat(HopByHop.endToEnd(h, true)).containsExactly(new Header("Host", "a"), new Header("Connection", "Upgrade"),
                new Header("Upgrade", "websocket"), new Header("Sec-WebSocket-Key", "k"));
    }

    @Test
    void anEmptyUpgradeIsNoUpgrade() {
        HttpHeaders h = new DefaultHttpHeaders().add("Host", "a").add("Connection", "upgrade").add("Upgrade", "");

        assertThat(HopByHop.isUpgrade(h)).isFalse();
    }

    @Test
    void anUpgradeRequestWithABodyIsAnOrdinaryRequest() {
        HttpHeaders h = new DefaultHttpHeaders().add("Connection", "upgrade").add("Upgrade", "h2c").add("Content-Length", "5");

        assertThat(HopByHop.isUpgrade(h)).isFalse();
        assertThat(HopByHop.endToEnd(h, false)).containsExactly(new Header("Content-Length", "5"));
    }

    @Test
    void anUpgradeToH2cOnlyIsTheRelaysOwnAndNotForwarded() {
        HttpHeaders h = new DefaultHttpHeaders().add("Host", "a").add("Connection", "Upgrade, HTTP2-Settings")
                .add("Upgrade", "h2c").add("HTTP2-Settings", "AAMAAABkAAQCAAAAAAIAAAAA");

        assertThat(HopByHop.isUpgrade(h)).isFalse();
        assertThat(HopByHop.endToEnd(h, false)).containsExactly(new Header("Host", "a"));
        assertThat(HopByHop.isUpgrade(new DefaultHttpHeaders().add("Connection", "upgrade").add("Upgrade", "h2c, websocket")))
                .isTrue();
    }
}
