package dev.portway.desktop.engine;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class StreamInboundTest {

    @Test
    void refusesBytesBeyondItsCapacity() {
        StreamInbound in = new StreamInbound(10);
        assertThat(in.offer(ByteBuffer.wrap(new byte[6]))).isTrue();

        assertThatThrownBy(() -> in.offer(ByteBuffer.wrap(new byte[5]))).isInstanceOf(IllegalStateException.class);
        assertThat(in.buffered()).isEqualTo(6);
    }

    @Test
    void takingFreesCapacityAndFinEndsTheStreamAfterTheBufferedBytes() throws IOException {
        StreamInbound in = new StreamInbound(10);
        in.offer(ByteBuffer.wrap(new byte[10]));
        assertThat(in.take().remaining()).isEqualTo(10);
        in.offer(ByteBuffer.wrap(new byte[10]));
        in.finish();

        assertThat(in.take().remaining()).isEqualTo(10);
        assertThat(in.take()).isNull();
    }

    @Test
    void takeWaitsForDataAndFailWakesTheReaderWithTheCause() {
        StreamInbound in = new StreamInbound(10);
        CompletableFuture<Throwable> reader = CompletableFuture.supplyAsync(() -> {
            try {
                in.take();
                return null;
            } catch (IOException e) {
                return e;
            }
        });
        in.offer(ByteBuffer.wrap(new byte[3]));
        await().until(() -> in.buffered() == 0 || reader.isDone());
        assertThat(reader.join()).isNull();

        CompletableFuture<Throwable> second = CompletableFuture.supplyAsync(() -> {
            try {
                in.take();
                return null;
            } catch (IOException e) {
                return e;
            }
        });
        in.offer(ByteBuffer.wrap(new byte[4]));
        await().until(second::isDone);
        int dropped = in.fail(new IOException("reset"));
        assertThat(dropped).isZero();
        assertThatThrownBy(in::take).hasMessage("reset");
    }

    @Test
    void discardDropsBufferedAndLaterBytes() throws IOException {
        StreamInbound in = new StreamInbound(10);
        in.offer(ByteBuffer.wrap(new byte[7]));

        assertThat(in.discard()).isEqualTo(7);
        assertThat(in.offer(ByteBuffer.wrap(new byte[9]))).isFalse();
        assertThat(in.take()).isNull();
    }

    @Test
    void awaitAnyTellsAnEmptyBodyFromAStreamedOne() throws IOException {
        StreamInbound empty = new StreamInbound(10);
        empty.finish();
        assertThat(empty.awaitAny()).isFalse();

        StreamInbound some = new StreamInbound(10);
        some.offer(ByteBuffer.wrap(new byte[1]));
        assertThat(some.awaitAny()).isTrue();
        assertThat(some.buffered()).isEqualTo(1);
    }
}
