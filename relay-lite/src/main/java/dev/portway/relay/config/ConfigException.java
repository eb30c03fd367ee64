package dev.portway.relay.config;

/** A configuration problem, with a message for the person running the relay (no stack trace needed). */
public final class ConfigException extends Exception {
    public ConfigException(String message) {
        super(message);
    }
}
