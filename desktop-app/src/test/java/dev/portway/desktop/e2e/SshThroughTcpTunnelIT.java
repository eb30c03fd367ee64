package dev.portway.desktop.e2e;

import dev.portway.relay.testing.LocalSshd;
import dev.portway.desktop.engine.BoundTunnel;
import dev.portway.desktop.engine.TunnelSpec;
import dev.portway.relay.Relay;
import dev.portway.relay.RelayConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static dev.portway.desktop.e2e.TunnelHarness.RecordingEngine;
import static org.assertj.core.api.Assertions.assertThat;

/** The real OpenSSH client reaches a real sshd through a Portway TCP tunnel. */
class SshThroughTcpTunnelIT {

    @Test
    void sshReachesALocalSshdThroughATcpTunnel(@TempDir Path dir) throws Exception {
        try (LocalSshd sshd = new LocalSshd(dir);
             Relay relay = Relay.start(RelayConfig.builder().bindHost("127.0.0.1").port(0).token(TunnelHarness.TOKEN)
                     .tcpPortFrom(0).tcpPortTo(0).build());
             RecordingEngine engine = RecordingEngine.connect(relay.connectUrl(), TunnelSpec.tcp("ssh", sshd.port))) {
            BoundTunnel tunnel = engine.awaitTunnel();

            LocalSshd.ProcessResult result = sshd.ssh(tunnel.port(), "echo", "through-the-tunnel");

            assertThat(result.output()).isEqualTo("through-the-tunnel");
            assertThat(result.exitCode()).isZero();
        }
    }
}
