package dev.portway.desktop.engine;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * The bytes the relay sent on one stream that the local side has not taken yet: at most
 * {@code capacity} bytes (the stream window we declared), so a peer that ignores flow control
 * cannot make it grow.
 *
 * <p>Thread contract: the WebSocket reader thread calls {@link #offer} / {@link #finish} / {@link #fail}
 * and never blocks; one stream thread calls {@link #take}. All state is guarded by {@code this}.
 */
final class StreamInbound {
    private final long capacity;
    private final ArrayDeque<ByteBuffer> chunks = new ArrayDeque<>();
    private long buffered;
    private boolean finished;
    private java.util.List<dev.portway.shared.protocol.Header> trailers = java.util.List.of();
    private boolean discarding;
    private IOException failure;

    StreamInbound(long capacity) {
        this.capacity = capacity;
    }

    /**
     * Adds a DATA payload (read-only, not copied: frames are immutable).
     *
     * @return true when buffered; false when the reader no longer wants the bytes (they count as consumed at once)
     * @throws IllegalStateException when the payload would exceed the capacity: the peer broke flow control
     */
    synchronized boolean offer(ByteBuffer payload) {
        if (discarding || failure != null || finished) {
            return false;
        }
        if (buffered + payload.remaining() > capacity) {
            throw new IllegalStateException("stream buffer of " + capacity + " bytes exceeded");
        }
        if (payload.hasRemaining()) {
            chunks.add(payload);
            buffered += payload.remaining();
            notifyAll();
        }
        return true;
    }

    /** The trailer fields the peer's FIN carried (set before {@link #finish}). */
    synchronized void trailers(java.util.List<dev.portway.shared.protocol.Header> fields) {
        trailers = java.util.List.copyOf(fields);
    }

    /** The request's trailer fields, once {@link #take} returned null; empty when there were none. */
    synchronized java.util.List<dev.portway.shared.protocol.Header> trailers() {
        return trailers;
    }

    /** The peer sent FIN: after the buffered bytes, {@link #take} returns null. */
    synchronized void finish() {
        finished = true;
        notifyAll();
    }

    /**
     * The stream ended abnormally: the reader's next {@link #take} throws {@code cause}.
     *
     * @return the bytes dropped from the buffer, to be granted back to the session
     */
    synchronized int fail(IOException cause) {
        if (failure == null) {
            failure = cause;
        }
        int dropped = (int) buffered;
        chunks.clear();
        buffered = 0;
        notifyAll();
        return dropped;
    }

    /**
     * From now on every byte is dropped as it arrives (the local side will not read it).
     *
     * @return the bytes dropped from the buffer now, to be granted back
     */
    synchronized int discard() {
        discarding = true;
        int dropped = (int) buffered;
        chunks.clear();
        buffered = 0;
        notifyAll();
        return dropped;
    }

    /**
     * Waits for the next chunk.
     *
     * @return the next chunk, or null once the peer sent FIN and everything was taken
     * @throws IOException when the stream failed (reset, session lost)
     */
    synchronized ByteBuffer take() throws IOException {
        awaitChunkOrEnd();
        ByteBuffer next = chunks.poll();
        if (next != null) {
            buffered -= next.remaining();
        }
        return next;
    }

    /**
     * Waits until the first byte or FIN arrives, to tell an empty body from a streaming one.
     *
     * @return true when there is data to take, false when the peer finished without sending any
     */
    synchronized boolean awaitAny() throws IOException {
        awaitChunkOrEnd();
        return !chunks.isEmpty();
    }

    /** Holding the lock: waits until a chunk is there or the stream finished, was discarded or failed (thrown). */
    private void awaitChunkOrEnd() throws IOException {
        while (chunks.isEmpty() && !finished && failure == null && !discarding) {
            try {
                wait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while waiting for stream data");
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    synchronized long buffered() {
        return buffered;
    }
}
