package dev.portway.relay.ingress;

import dev.portway.relay.tunnel.SessionContext;

import java.util.function.IntSupplier;

/** What visitor handlers share. {@code publicPort} is the relay's bound HTTP port. */
public record IngressContext(SessionContext sessions, IntSupplier publicPort) {
}
