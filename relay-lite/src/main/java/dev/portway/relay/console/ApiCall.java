package dev.portway.relay.console;

import com.fasterxml.jackson.databind.JsonNode;
import dev.portway.relay.admin.Actor;

import java.util.Map;

/**
 * One API request after routing and sign-in checks.
 *
 * @param actor  who asks (null on the routes that need no session: sign-in, invites)
 * @param path   the path parameters of the route, by name
 * @param query  the query parameters (first value of each)
 * @param body   the JSON body, or an empty object
 * @param remote the caller's address key ({@code ip:...}) for throttling and audit
 */
record ApiCall(Actor actor, Map<String, String> path, Map<String, String> query, JsonNode body, String remote,
               ConsoleSessions.Session session) {

    String path(String name) {
        return path.get(name);
    }

    /** A required string field of the body. */
    String text(String field) {
        JsonNode n = body.get(field);
        if (n == null || !n.isTextual()) {
            throw new IllegalArgumentException("The request needs a text field \"" + field + "\".");
        }
        return n.asText();
    }

    /** An optional string field of the body, or null. */
    String optText(String field) {
        JsonNode n = body.get(field);
        return n == null || n.isNull() ? null : n.asText();
    }

    int queryInt(String name, int dflt) {
        String v = query.get(name);
        if (v == null || v.isBlank()) {
            return dflt;
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("The query parameter " + name + " must be a whole number, not \"" + v + "\".");
        }
    }
}
