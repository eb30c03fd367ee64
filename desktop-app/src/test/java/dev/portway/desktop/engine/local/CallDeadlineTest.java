package dev.portway.desktop.engine.local;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.awaitility.Awaitility.with;

class CallDeadlineTest {
    private final LocalLeg leg = new LocalLeg("portway-deadline-test", 1, Duration.ofSeconds(2));

    @AfterEach
    void close() {
        leg.close();
    }

    @Test
    void aCallStillRunningWhenTheTimeRunsOutIsAbortedAndSaysSo() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             LocalCall call = leg.call("127.0.0.1", silent.getLocalPort())) {
            CallDeadline d = CallDeadline.start(call, Duration.ofMillis(100));
            await().atMost(Duration.ofSeconds(5)).until(d::expired);
            d.close();
            assertThat(d.expired()).as("closing after it expired does not undo it").isTrue();
        }
    }

    @Test
    void aCallFinishedInTimeIsNeverMarkedExpired() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             LocalCall call = leg.call("127.0.0.1", silent.getLocalPort())) {
            CallDeadline d = CallDeadline.start(call, Duration.ofMillis(100));
            d.close();
            // Well past the deadline, it has still not fired.
            with().pollDelay(Duration.ofMillis(400)).await().atMost(Duration.ofSeconds(2)).until(() -> true);
            assertThat(d.expired()).isFalse();
        }
    }
}
