package dev.portway.relay;

import dev.portway.relay.store.Tier;

import java.time.Duration;

/**
 * Users, tokens and per-user limits of a relay (see relay-lite/README.md "Users and tokens").
 *
 * @param dbUrl                 a {@code jdbc:postgresql://} URL, or null for the H2 file in the data directory
 * @param dbUser                database user for {@code dbUrl}, or null
 * @param dbPassword            database password for {@code dbUrl}, or null
 * @param jwtLifetime           how long a session JWT is valid; clients refresh it before then
 * @param freePerMinute         visitor requests per minute to all tunnels of a free user
 * @param premiumPerMinute      the same for a premium user
 * @param enterprisePerMinute   the same for an enterprise user (and the local user of a single-token relay)
 * @param maxTunnelsPerUser     tunnels one user may have bound at once, over all their connections
 * @param maxConnectionsPerUser client WebSocket sessions one user may have open at once
 * @param auditMaxBytes         size of {@code audit.log} before it is rotated to {@code audit.log.1}
 * @param throttle              lockouts after failed logins (WebSocket and SSH), and credential checks in flight
 */
public record IdentityConfig(String dbUrl, String dbUser, String dbPassword, Duration jwtLifetime,
                             int freePerMinute, int premiumPerMinute, int enterprisePerMinute,
                             int maxTunnelsPerUser, int maxConnectionsPerUser, long auditMaxBytes,
                             dev.portway.relay.auth.LoginThrottle.Policy throttle) {
    public static final Duration DEFAULT_JWT_LIFETIME = Duration.ofMinutes(15);
    public static final IdentityConfig DEFAULTS = new IdentityConfig(null, null, null, DEFAULT_JWT_LIFETIME,
            100, 1000, 10_000, 32, 8, 10L * 1024 * 1024,
            dev.portway.relay.auth.LoginThrottle.Policy.DEFAULTS);

    public IdentityConfig {
        if (jwtLifetime == null || jwtLifetime.toMillis() < 1000) {
            throw new IllegalArgumentException("--jwt-lifetime must be at least 1s.");
        }
        if (freePerMinute < 0 || premiumPerMinute < 0 || enterprisePerMinute < 0) {
            throw new IllegalArgumentException("--rate-free, --rate-premium and --rate-enterprise must be 0 (no limit) or more.");
        }
        if (maxTunnelsPerUser < 1 || maxConnectionsPerUser < 1) {
            throw new IllegalArgumentException("--max-tunnels-per-user and --max-connections-per-user must be at least 1.");
        }
        if (throttle == null) {
            throw new IllegalArgumentException("the login throttle policy is required");
        }
        if (auditMaxBytes < 1024) {
            throw new IllegalArgumentException("The audit log size must be at least 1 KiB.");
        }
    }

    /** Requests per minute for a tier. */
    public int perMinute(Tier tier) {
        return switch (tier) {
            case FREE -> freePerMinute;
            case PREMIUM -> premiumPerMinute;
            case ENTERPRISE -> enterprisePerMinute;
        };
    }

    public IdentityConfig withDb(String url, String user, String password) {
        return new IdentityConfig(url, user, password, jwtLifetime, freePerMinute, premiumPerMinute, enterprisePerMinute,
                maxTunnelsPerUser, maxConnectionsPerUser, auditMaxBytes, throttle);
    }

    public IdentityConfig withJwtLifetime(Duration d) {
        return new IdentityConfig(dbUrl, dbUser, dbPassword, d, freePerMinute, premiumPerMinute, enterprisePerMinute,
                maxTunnelsPerUser, maxConnectionsPerUser, auditMaxBytes, throttle);
    }

    public IdentityConfig withRates(int free, int premium, int enterprise) {
        return new IdentityConfig(dbUrl, dbUser, dbPassword, jwtLifetime, free, premium, enterprise,
                maxTunnelsPerUser, maxConnectionsPerUser, auditMaxBytes, throttle);
    }

    public IdentityConfig withUserLimits(int tunnels, int connections) {
        return new IdentityConfig(dbUrl, dbUser, dbPassword, jwtLifetime, freePerMinute, premiumPerMinute, enterprisePerMinute,
                tunnels, connections, auditMaxBytes, throttle);
    }

    public IdentityConfig withAuditMaxBytes(long bytes) {
        return new IdentityConfig(dbUrl, dbUser, dbPassword, jwtLifetime, freePerMinute, premiumPerMinute, enterprisePerMinute,
                maxTunnelsPerUser, maxConnectionsPerUser, bytes, throttle);
    }

    public IdentityConfig withThrottle(dev.portway.relay.auth.LoginThrottle.Policy p) {
        return new IdentityConfig(dbUrl, dbUser, dbPassword, jwtLifetime, freePerMinute, premiumPerMinute, enterprisePerMinute,
                maxTunnelsPerUser, maxConnectionsPerUser, auditMaxBytes, p);
    }
}
