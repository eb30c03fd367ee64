package dev.portway.shared.protocol;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ProtocolTest {

    @Test
    void picksACommonVersionOrNone() {
        assertThat(Protocol.pickVersion(List.of(1, 2))).isEqualTo(1);
        assertThat(Protocol.pickVersion(List.of(2))).isEqualTo(-1);
        assertThat(Protocol.pickVersion(List.of())).isEqualTo(-1);
        assertThat(Protocol.pickVersion(null)).isEqualTo(-1);
    }

    @Test
    void mismatchMessageSaysWhoMustUpdate() {
        assertThat(Protocol.versionMismatchMessage(List.of(2)))
                .isEqualTo("Relay speaks protocol 1, this app speaks 2 — update the relay (relay-lite) or connect to a newer one.");
        assertThat(Protocol.versionMismatchMessage(List.of(0)))
                .isEqualTo("Relay speaks protocol 1, this app speaks 0 — update Portway.");
    }

    @Test
    void errorCodesKeepTheirNumbersAndNames() {
        assertThat(ErrorCode.ofCode(10)).isEqualTo(ErrorCode.TARGET_UNREACHABLE);
        assertThat(ErrorCode.ofWireName("bad_token")).isEqualTo(ErrorCode.BAD_TOKEN);
        assertThat(ErrorCode.ofWireName("nope")).isEqualTo(ErrorCode.PROTOCOL_ERROR);
        assertThat(ErrorCode.TARGET_UNREACHABLE.category().wireName()).isEqualTo("target");
        assertThat(java.util.Arrays.stream(ErrorCode.values()).map(ErrorCode::code).distinct().count())
                .isEqualTo(ErrorCode.values().length);
    }

    @Test
    void tunnelNamesAreLowerCaseDnsLabels() {
        assertThat(TunnelNames.normalize("MyApp-2")).isEqualTo("myapp-2");
        assertThat(TunnelNames.normalize("a")).isEqualTo("a");
        assertThat(TunnelNames.normalize("a".repeat(63))).hasSize(63);
        for (String bad : new String[]{"", "-a", "a-", "a_b", "a.b", "a b", "ä", "a".repeat(64), "Bad_Name!"}) {
            assertThat(TunnelNames.normalize(bad)).as(bad).isNull();
        }
        assertThat(TunnelNames.invalidMessage("a_b")).startsWith("\"a_b\" is not a valid tunnel name");
    }

    @Test
    void relayAddressesBecomeWebSocketUris() {
        assertThat(RelayAddress.parse("https://relay.example.com")).hasValue(java.net.URI.create("wss://relay.example.com"));
        assertThat(RelayAddress.parse(" ws://localhost:8080 ")).hasValue(java.net.URI.create("ws://localhost:8080"));
        assertThat(RelayAddress.parse("http://h:1/base?x=1#frag")).hasValue(java.net.URI.create("ws://h:1/base?x=1"));
        for (String bad : new String[]{"relay.example.com", "ftp://h", "ws://", "::", ""}) {
            assertThat(RelayAddress.parse(bad)).as(bad).isEmpty();
        }
        assertThat(RelayAddress.parse(null)).isEmpty();
    }
}
