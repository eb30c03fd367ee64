package dev.portway.shared.stream;

import dev.portway.shared.protocol.FlowWindow;
import dev.portway.shared.protocol.FrameCodec;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class SendCreditTest {

    @Test
    void aSendTakesTheSmallerOfBothWindowsAndTheStreamKeepsTheRest() {
        FlowWindow stream = new FlowWindow(1000, 1000);
        FlowWindow session = new FlowWindow(300, 1000);

        assertThat(SendCredit.tryTake(stream, session, 800)).isEqualTo(300);
        assertThat(stream.sendCredit()).as("what the session could not match went back").isEqualTo(700);
        assertThat(session.sendCredit()).isZero();
    }

    @Test
    void oneTakeIsAtMostOneFrame() {
        FlowWindow stream = new FlowWindow(1 << 20, 1 << 20);
        FlowWindow session = new FlowWindow(1 << 20, 1 << 20);

        assertThat(SendCredit.tryTake(stream, session, 1 << 20)).isEqualTo(FrameCodec.MAX_PAYLOAD);
        assertThat(stream.sendCredit()).isEqualTo((1 << 20) - FrameCodec.MAX_PAYLOAD);
    }

    @Test
    void nothingGoesWithoutASessionWindowOrStreamCredit() {
        assertThat(SendCredit.tryTake(new FlowWindow(100, 100), null, 10)).isZero();
        FlowWindow session = new FlowWindow(100, 100);
        assertThat(SendCredit.tryTake(new FlowWindow(0, 100), session, 10)).isZero();
        assertThat(session.sendCredit()).as("untouched").isEqualTo(100);
    }

    @Test
    void aWaitingSenderGoesOnWhenTheSessionGrants() throws Exception {
        FlowWindow stream = new FlowWindow(100, 100);
        FlowWindow session = new FlowWindow(0, 100);
        CompletableFuture<Integer> taken = CompletableFuture.supplyAsync(() -> {
            try {
                return SendCredit.awaitTake(stream, session, 80);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        session.grant(30);

        assertThat(taken.get(5, TimeUnit.SECONDS)).isEqualTo(30);
        assertThat(stream.sendCredit()).isEqualTo(70);
    }

    @Test
    void aClosedSessionEndsTheWaitAndGivesTheStreamItsCreditBack() throws Exception {
        FlowWindow stream = new FlowWindow(100, 100);
        FlowWindow session = new FlowWindow(0, 100);
        CompletableFuture<Integer> taken = CompletableFuture.supplyAsync(() -> {
            try {
                return SendCredit.awaitTake(stream, session, 80);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        session.close();

        assertThat(taken.get(5, TimeUnit.SECONDS)).isEqualTo(-1);
        assertThat(stream.sendCredit()).isEqualTo(100);
    }
}
