package dev.portway.desktop.engine;

/**
 * A tunnel the relay put up.
 *
 * @param url    HTTP: the public URL; TCP: {@code tcp://host:port}
 * @param port   TCP: the public port; HTTP: null
 * @param notice set when the relay did not grant exactly what was asked (e.g. a taken name)
 */
public record BoundTunnel(String name, String kind, String url, Integer port, String localTarget, String notice) {
}
