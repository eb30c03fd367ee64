package dev.portway.desktop.engine;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class BoundTunnelTest {
    @Test
    void privateTunnelGivesTheTeammateTheJumpCommand() {
        BoundTunnel t = new BoundTunnel("laptop", "tcp", "ssh://relay.example.com:2222/laptop", null, "localhost:22", null);
        assertThat(t.isPrivate()).isTrue();
        assertThat(t.teammateCommand("alice", "me")).isEqualTo("ssh -J alice@relay.example.com:2222 me@laptop");
    }

    @Test
    void publicTunnelsHaveNoTeammateCommand() {
        BoundTunnel tcp = new BoundTunnel("db", "tcp", "tcp://relay.example.com:20001", 20001, "localhost:5432", null);
        BoundTunnel http = new BoundTunnel("app", "http", "http://app.relay.example.com/", null, "localhost:3000", null);
        assertThat(tcp.isPrivate()).isFalse();
        assertThat(tcp.teammateCommand("alice", "me")).isNull();
        assertThat(http.teammateCommand("alice", "me")).isNull();
    }
}
