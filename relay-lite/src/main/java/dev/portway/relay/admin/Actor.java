package dev.portway.relay.admin;

import dev.portway.relay.store.Role;

/**
 * Who makes a change or asks for data: a console user (with their role) or the admin command line. The
 * services check every request against it: a {@link Role#USER} reaches only their own objects.
 *
 * @param name the user name, or {@code cli:<os user>} for the command line
 * @param role what they may do
 */
public record Actor(String name, Role role) {
    /** The admin command line on the server: an admin. */
    public static Actor commandLine() {
        return new Actor("cli:" + System.getProperty("user.name"), Role.ADMIN);
    }

    public boolean admin() {
        return role == Role.ADMIN;
    }

    /**
     * @throws NotYours when this actor is a user asking for another user's objects; the message names
     *                  nothing of that user (the API answers 404, as for objects that do not exist)
     */
    public void requireOwnerOrAdmin(String owner, String what) {
        if (!admin() && !name.equals(owner)) {
            throw new NotYours("No " + what + " of yours by that name or id.");
        }
    }

    /** @throws Forbidden unless this actor is an admin */
    public void requireAdmin() {
        if (!admin()) {
            throw new Forbidden("Only an admin may do this.");
        }
    }

    /** A user reached for an object of another user (answered like an unknown object). */
    public static final class NotYours extends RuntimeException {
        public NotYours(String message) {
            super(message, null, false, false);
        }
    }

    /** A user asked for an admin's action. */
    public static final class Forbidden extends RuntimeException {
        public Forbidden(String message) {
            super(message, null, false, false);
        }
    }
}
