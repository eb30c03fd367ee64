package dev.portway.relay.auth;

import dev.portway.relay.audit.AuditLog;

/**
 * What sessions need to know about users: who a token belongs to, the audit log, and per-user limits.
 *
 * @param authenticator checks tokens and JWTs (on the store thread)
 * @param audit         records auth, connections, binds and limit hits
 * @param limits        per-user connection, tunnel and request limits
 * @param names         names reserved for users, reloaded from the store every 2 s
 * @param throttle      failed-login counters and lockouts, shared by WebSocket hellos and SSH logins
 */
public record Accounts(Authenticator authenticator, AuditLog audit, UserLimits limits, ReservedNames names,
                       LoginThrottle throttle) {
}
