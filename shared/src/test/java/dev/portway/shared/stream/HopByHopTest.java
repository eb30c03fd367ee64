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

    @Test
    void trailersLoseHopByHopFieldsAndTheOnesRfc9110ForbidsInATrailerSection() {
        List<Header> trailers = List.of(new Header("grpc-status", "0"), new Header("Content-Length", "9"),
                new Header("Transfer-Encoding", "chunked"), new Header("Host", "evil"), new Header("Authorization", "Basic x"),
                new Header("Set-Cookie", "a=1"), new Header("Content-Type", "text/html"), new Header("Trailer", "X"),
                new Header("X-Named", "1"), new Header("grpc-message", "ok"), new Header("grpc-message", "again"));

        assertThat(HopByHop.trailers(trailers, List.of(new Header("Connection", "X-Named"))))
                .containsExactly(new Header("grpc-status", "0"), new Header("grpc-message", "ok"), new Header("grpc-message", "again"));
    }

    @Test
    void teTrailersStaysInPlaceWhenAskedAndOnlyThen() {
        List<Header> in = List.of(new Header("Host", "a"), new Header("Connection", "TE"), new Header("TE", "deflate;q=0.5, trailers"),
                new Header("Accept", "*/*"));

        assertThat(HopByHop.acceptsTrailers(in)).isTrue();
        assertThat(HopByHop.strip(in, false, true)).containsExactly(new Header("Host", "a"), new Header("TE", "trailers"),
                new Header("Accept", "*/*"));
        assertThat(HopByHop.strip(in, false, false)).containsExactly(new Header("Host", "a"), new Header("Accept", "*/*"));
        List<Header> noTrailers = List.of(new Header("TE", "gzip"), new Header("Accept", "*/*"));
        assertThat(HopByHop.acceptsTrailers(noTrailers)).isFalse();
        assertThat(HopByHop.strip(noTrailers, false, true)).containsExactly(new Header("Accept", "*/*"));
    }
}
