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
}
