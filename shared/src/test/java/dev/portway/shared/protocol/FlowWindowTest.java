package dev.portway.shared.protocol;

import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FlowWindowTest {

    @Test
    void senderCannotTakeMoreThanTheGrantedCredit() {
        FlowWindow w = new FlowWindow(100, 100);
        assertThat(w.tryAcquire(60)).isEqualTo(60);
        assertThat(w.tryAcquire(60)).isEqualTo(40);
        assertThat(w.tryAcquire(1)).isZero();
    }

    @Test
    void grantWakesAWaitingSender() throws Exception {
        FlowWindow w = new FlowWindow(0, 100);
        CompletableFuture<Integer> taken = CompletableFuture.supplyAsync(() -> {
            try {
                return w.awaitSendCredit(10);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        assertThat(taken).isNotDone();
        w.grant(5);
        assertThat(taken.get(5, TimeUnit.SECONDS)).isEqualTo(5);
    }

    @Test
    void closeReleasesWaitersWithMinusOne() throws Exception {
        FlowWindow w = new FlowWindow(0, 100);
        CompletableFuture<Integer> taken = CompletableFuture.supplyAsync(() -> {
            try {
                return w.awaitSendCredit(10);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        w.close();
        assertThat(taken.get(5, TimeUnit.SECONDS)).isEqualTo(-1);
    }

    @Test
    void receiverRejectsDataBeyondCredit() throws Exception {
        FlowWindow w = new FlowWindow(100, 100);
        w.received(100);
        assertThatThrownBy(() -> w.received(1)).isInstanceOf(ProtocolException.class)
                .extracting(e -> ((ProtocolException) e).code()).isEqualTo(ErrorCode.FLOW_CONTROL);
    }

    @Test
    void consumedBytesAreGrantedBackInBatchesOfHalfAWindow() throws Exception {
        FlowWindow w = new FlowWindow(100, 100);
        w.received(100);
        assertThat(w.buffered()).isEqualTo(100);
        assertThat(w.consumed(30)).isZero();
        assertThat(w.consumed(20)).isEqualTo(50);
        assertThat(w.buffered()).isEqualTo(50);
        w.received(50); // the 50 granted back may now be used again
        assertThatThrownBy(() -> w.received(1)).isInstanceOf(ProtocolException.class);
    }

    @Test
    void grantThatOverflowsIsAFlowControlError() throws Exception {
        FlowWindow w = new FlowWindow(Integer.MAX_VALUE - 10, 100);
        w.grant(10);
        assertThatThrownBy(() -> w.grant(1)).isInstanceOf(ProtocolException.class)
                .extracting(e -> ((ProtocolException) e).code()).isEqualTo(ErrorCode.FLOW_CONTROL);
    }
}
