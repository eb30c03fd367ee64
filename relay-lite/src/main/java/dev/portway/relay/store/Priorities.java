package dev.portway.relay.store;

import dev.portway.shared.protocol.Protocol;

/** Delivery priorities as stored: a rank that sorts most urgent first. */
public final class Priorities {
    private Priorities() {
    }

    /** @return 0 for high, 2 for low, 1 otherwise */
    public static int rank(String priority) {
        return switch (priority) {
            case Protocol.PRIORITY_HIGH -> 0;
            case Protocol.PRIORITY_LOW -> 2;
            default -> 1;
        };
    }

    public static String name(int rank) {
        return switch (rank) {
            case 0 -> Protocol.PRIORITY_HIGH;
            case 2 -> Protocol.PRIORITY_LOW;
            default -> Protocol.PRIORITY_NORMAL;
        };
    }
}
