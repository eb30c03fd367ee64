package dev.portway.relay.ingress;

import dev.portway.relay.queue.DurableQueue;
import dev.portway.relay.queue.HeldRequests;
import dev.portway.relay.store.StoreProbe;
import dev.portway.relay.tunnel.SessionContext;

import java.util.function.IntSupplier;

/**
 * What visitor handlers share. {@code publicPort} is the relay's bound HTTP port; {@code holds} keeps
 * requests while a tunnel's client reconnects, {@code queue} stores requests for queued tunnels;
 * {@code storeProbe} tells health whether the store answers; {@code telemetry} traces visitor requests
 * ({@link RelayTracing}).
 */
public record IngressContext(SessionContext sessions, IntSupplier publicPort, HeldRequests holds, DurableQueue queue,
                             StoreProbe storeProbe, dev.portway.shared.tracing.Telemetry telemetry) {
}
