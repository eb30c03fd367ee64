package dev.portway.relay.tunnel;

import java.util.Set;

/**
 * The queue rule of a queued tunnel (PROTOCOL.md §9.2): which requests are stored while its client is away.
 *
 * @param methods  upper-case HTTP methods that are queued
 * @param maxBody  largest body queued, in bytes; larger requests get 413
 * @param priority delivery priority of the tunnel's requests: {@code high}, {@code normal} or {@code low}
 */
public record QueueOptions(Set<String> methods, long maxBody, String priority) {
    public QueueOptions {
        methods = Set.copyOf(methods);
    }

    /** @return whether a request with this method (any case) is queued */
    public boolean queues(String method) {
        return methods.contains(method.toUpperCase(java.util.Locale.ROOT));
    }

    /** The methods as stored, sorted and comma-separated. */
    public String methodList() {
        return String.join(",", methods.stream().sorted().toList());
    }
}
