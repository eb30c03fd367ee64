package dev.portway.desktop.engine;

import dev.portway.shared.protocol.ErrorCode;

import java.time.Duration;

/** What a {@link TunnelEngine} reports. All callbacks arrive on the executor given to the engine. */
public interface EngineListener {
    default void onStatus(EngineStatus status) {
    }

    default void onTunnelBound(BoundTunnel tunnel) {
    }

    default void onTunnelRefused(TunnelSpec spec, ErrorCode code, String message) {
    }

    default void onRtt(Duration rtt) {
    }

    default void onRequest(RequestEvent event) {
    }

    /** The client queue's size changed; coalesced to a few calls per second. */
    default void onQueueChanged(int size) {
    }

    /** A queued tunnel's queue on the relay: sent when bound and when its level changes (pressure at 80 %, full). */
    default void onRelayQueue(RelayQueueStatus status) {
    }

    /** A tunnel's circuit breaker changed state: {@code closed}, {@code open} or {@code half_open}. */
    default void onBreaker(String tunnel, String state) {
    }

    /** An attempt to deliver a queued request to the local app finished. */
    default void onDelivery(DeliveryEvent event) {
    }
}
