package dev.portway.desktop.engine;

/**
 * A tunnel the relay put up.
 *
 * @param url    HTTP: the public URL; TCP: {@code tcp://host:port}
 * @param port   TCP: the public port; HTTP: null
 * @param notice set when the relay did not grant exactly what was asked (e.g. a taken name)
 */
public record BoundTunnel(String name, String kind, String url, Integer port, String localTarget, String notice) {
    private static final java.util.regex.Pattern PRIVATE_URL = java.util.regex.Pattern.compile("ssh://([^/:]+|\\[[^]]+]):(\\d+)/(.+)");

    /** A private TCP tunnel (bind option {@code private=true}): no public port, reached through the relay's SSH gateway. */
    public boolean isPrivate() {
        return url != null && PRIVATE_URL.matcher(url).matches();
    }

    /**
     * The command a teammate runs to reach a private tunnel's local target (e.g. this machine's sshd), or null
     * for a public tunnel: {@code ssh -J <teammate>@<relay>:<ssh-port> <login>@<name>}.
     *
     * @param teammate the teammate's user on the relay's SSH gateway
     * @param login    the account on this machine they log in to
     */
    public String teammateCommand(String teammate, String login) {
        java.util.regex.Matcher m = url == null ? null : PRIVATE_URL.matcher(url);
        if (m == null || !m.matches()) {
            return null;
        }
        return "ssh -J " + teammate + "@" + m.group(1) + ":" + m.group(2) + " " + login + "@" + m.group(3);
    }
}
