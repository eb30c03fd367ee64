package dev.portway.relay.tunnel;

import dev.portway.shared.protocol.Protocol;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BindOptionsPrivateTest {
    private static BindOptions parse(Map<String, String> o, String kind) throws BindOptions.Invalid {
        return BindOptions.parse(o, kind, 1024 * 1024);
    }

    @Test
    void privateTcpTunnelIsSharedWithTheListedUsers() throws Exception {
        BindOptions o = parse(Map.of("private", "true", "share", " Alice,bob "), Protocol.KIND_TCP);
        assertThat(o.privateTo()).isEqualTo(Set.of("alice", "bob"));
        assertThat(parse(Map.of("private", "true"), Protocol.KIND_TCP).privateTo()).isEmpty();
        assertThat(parse(Map.of(), Protocol.KIND_TCP).privateTo()).isNull();
        assertThat(parse(Map.of("private", "false"), Protocol.KIND_TCP).privateTo()).isNull();
    }

    @Test
    void badPrivateOptionsAreRefusedWithWhatToDo() {
        assertThatThrownBy(() -> parse(Map.of("private", "yes"), Protocol.KIND_TCP))
                .hasMessage("The option private must be true or false, not \"yes\".");
        assertThatThrownBy(() -> parse(Map.of("private", "true"), Protocol.KIND_HTTP))
                .hasMessage("The option private=true is for tcp tunnels only, not http.");
        assertThatThrownBy(() -> parse(Map.of("share", "alice"), Protocol.KIND_TCP))
                .hasMessage("The option share needs private=true.");
        assertThatThrownBy(() -> parse(Map.of("private", "true", "share", "alice,,bob"), Protocol.KIND_TCP))
                .hasMessageStartingWith("The option share must be user names separated by commas");
    }

    @Test
    void aPrivateTunnelIsReachableByItsUserAndSharedUsersOnly() {
        Tunnel<Object> t = new Tunnel<>("laptop", Protocol.KIND_TCP, null, 0, null);
        assertThat(t.reachableBy("local")).isFalse(); // public: not through the gateway
        t.makePrivate(Set.of("alice"));
        assertThat(t.reachableBy("local")).isTrue();
        assertThat(t.reachableBy("alice")).isTrue();
        assertThat(t.reachableBy("bob")).isFalse();
        assertThat(t.reachableBy(null)).isFalse();
    }
}
