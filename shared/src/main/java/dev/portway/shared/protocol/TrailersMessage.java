package dev.portway.shared.protocol;

import java.util.List;

/**
 * Payload of a FIN that carries trailer fields (PROTOCOL.md §3.2, feature {@code trailers}):
 * {@code {"trailers":[["grpc-status","0"]]}}, the same field encoding as a REPLY's headers. Order and repeats are kept.
 */
public record TrailersMessage(List<Header> trailers) {
}
