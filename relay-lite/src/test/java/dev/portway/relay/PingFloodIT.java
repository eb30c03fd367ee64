package dev.portway.relay;

import dev.portway.shared.protocol.ControlMessage;
import dev.portway.shared.protocol.Frame;
import dev.portway.shared.protocol.FrameCodec;
import dev.portway.shared.protocol.FrameType;
import dev.portway.shared.protocol.Json;
import dev.portway.shared.protocol.Protocol;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A client that sends pings and never reads the answers: what the relay queues towards it stays bounded
 * (it stops reading from a client it cannot write to), and other sessions go on as usual.
 */
class PingFloodIT {
    /** The session channel's high-water mark is 1 MiB; a bound well under what the flood would queue (~17 MiB). */
    static final long BOUND = 2L * 1024 * 1024;
    @TempDir
    Path tmp;
    Relay relay;

    @BeforeEach
    void start() throws Exception {
        relay = Relay.start(RelayConfig.builder().port(0).bindHost("127.0.0.1").token("relay-secret").tcpPortFrom(0).tcpPortTo(0)
                .dataDir(tmp).build());
    }

    @AfterEach
    void stop() {
        relay.shutdown(Duration.ofMillis(200));
    }

    interface Sender {
        void send(RawWebSocket ws, int i) throws Exception;
    }

    @Test
    void controlPingsOfAClientThatDoesNotReadQueueABoundedAmount() throws Exception {
        flood(300_000, (ws, i) -> ws.sendFrame(Frame.control(new ControlMessage.Ping(i, System.currentTimeMillis()))));
    }

    @Test
    void webSocketPingFramesOfAClientThatDoesNotReadQueueABoundedAmount() throws Exception {
        byte[] payload = new byte[125]; // the largest control frame: each pong echoes it
        flood(150_000, (ws, i) -> ws.sendPing(payload));
    }

    private void flood(int count, Sender sender) throws Exception {
        try (RawWebSocket raw = new RawWebSocket(relay.port(), Protocol.CONNECT_PATH);
             ProtocolTestClient other = ProtocolTestClient.connect(relay, "relay-secret", null)) {
            raw.sendFrame(Frame.control(new ControlMessage.Hello(List.of(Protocol.VERSION), "relay-secret", "flood/1", null, null, null)));
            raw.flush();
            Frame welcome = FrameCodec.decode(ByteBuffer.wrap(raw.readMessage()));
            assertThat(Json.read(welcome.payload(), ControlMessage.class)).isInstanceOf(ControlMessage.Welcome.class);
            other.control(ControlMessage.Welcome.class);
            // From here on the flooding client reads nothing.
            AtomicLong sent = new AtomicLong();
            Thread flooder = Thread.ofVirtual().name("ping-flood").start(() -> {
                try {
                    for (int i = 1; i <= count; i++) {
                        sender.send(raw, i);
                        if (i % 500 == 0) {
                            raw.flush();
                            sent.set(i);
                        }
                    }
                    raw.flush();
                    sent.set(count);
                } catch (Exception e) {
                    System.out.println("ping flood sender stopped: " + e); // the relay closed the socket, or the test ended
                }
            });
            long[] max = {0};
            long[] lastProgress = {System.nanoTime(), 0};
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20)).until(() -> {
                max[0] = Math.max(max[0], relay.maxPendingOutboundBytes());
                if (sent.get() != lastProgress[1]) {
                    lastProgress[0] = System.nanoTime();
                    lastProgress[1] = sent.get();
                }
                // Done when everything went out, or when the relay has stopped taking more for 2 s.
                return !flooder.isAlive() || System.nanoTime() - lastProgress[0] > TimeUnit.SECONDS.toNanos(2);
            });
            System.out.printf("ping flood: %d of %d sent, at most %d bytes queued towards the client%n", sent.get(), count, max[0]);
            assertThat(max[0]).as("bytes the relay queued towards a client that does not read").isLessThan(BOUND);


            // Another session is served as usual meanwhile.
            other.send(Frame.control(new ControlMessage.Ping(4242, System.currentTimeMillis())));
            await().atMost(Duration.ofSeconds(5)).until(() -> {
                Frame f = other.frames.poll(100, TimeUnit.MILLISECONDS);
                return f != null && f.type() == FrameType.CONTROL
                        && Json.read(f.payload(), ControlMessage.class) instanceof ControlMessage.Pong p && p.seq() == 4242;
            });
        }
    }
}
