package dev.portway.relay.ssh;

import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * What a session channel gets on the gateway. There is no shell, no command execution and no SFTP: each is
 * answered with one line saying what the gateway is for, and exit status 1 — except a shell of a connection
 * that published tunnels ({@code ssh -R ... relay} without {@code -N}), which shows their public URLs and
 * stays open (closing it would end the tunnels) until the user presses Ctrl-C or the connection ends.
 */
final class GatewayCommand implements Command {
    static final String REFUSAL = "Portway gateway: no shell, commands or SFTP here — use ssh -R to publish a tunnel "
            + "or ssh -J to reach a private one (see docs/ssh-gateway.md).";
    private static final int CTRL_C = 3;
    private static final int CTRL_D = 4;

    private final boolean shell;
    private InputStream in;
    private OutputStream out;
    private OutputStream err;
    private ExitCallback exit;
    private volatile Thread reader;

    /** @param shell true for a shell request (may show tunnels), false for exec and subsystems */
    GatewayCommand(boolean shell) {
        this.shell = shell;
    }

    @Override
    public void start(ChannelSession channel, Environment env) throws IOException {
        GatewayForwarder forwarder = channel.getSession().getAttribute(GatewayForwarder.KEY);
        List<String> lines = forwarder == null ? List.of() : forwarder.lines();
        boolean pty = env.getPtyModes() != null && !env.getPtyModes().isEmpty();
        String eol = pty ? "\r\n" : "\n";
        if (!shell || forwarder == null || !forwarder.hasTunnels()) {
            StringBuilder sb = new StringBuilder();
            for (String line : lines) {
                sb.append(line).append(eol);
            }
            sb.append(REFUSAL).append(eol);
            err.write(sb.toString().getBytes(StandardCharsets.UTF_8));
            err.flush();
            exit.onExit(1, REFUSAL);
            return;
        }
        StringBuilder sb = new StringBuilder();
        for (String line : lines) {
            sb.append(line).append(eol);
        }
        sb.append("Portway: the tunnels stay up while this ssh runs — press Ctrl-C to stop.").append(eol);
        out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
        out.flush();
        // A virtual thread waits for Ctrl-C: the stream MINA hands a plain Command blocks on read.
        reader = Thread.ofVirtual().name("ssh-gateway-shell").start(() -> {
            try {
                int c;
                while ((c = in.read()) >= 0) {
                    if (c == CTRL_C || c == CTRL_D) {
                        break;
                    }
                }
            } catch (IOException ignored) {
                // the channel closed
            }
            exit.onExit(0);
        });
    }

    @Override
    public void destroy(ChannelSession channel) {
        Thread t = reader;
        if (t != null) {
            t.interrupt();
        }
    }

    @Override
    public void setExitCallback(ExitCallback callback) {
        this.exit = callback;
    }

    @Override
    public void setInputStream(InputStream in) {
        this.in = in;
    }

    @Override
    public void setOutputStream(OutputStream out) {
        this.out = out;
    }

    @Override
    public void setErrorStream(OutputStream err) {
        this.err = err;
    }
}
