package dev.portway.desktop.cli;

import dev.portway.desktop.engine.TunnelSpec;
import dev.portway.desktop.engine.share.FolderShare;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code portway share DIR [--listing on|off] [--spa] [--name NAME]}: serves a local folder through a tunnel. */
@Command(name = "share", mixinStandardHelpOptions = true,
        description = "Share a local folder at a public address (files, index.html, a listing). Without --relay, an"
                + " embedded relay runs on this machine.")
final class ShareCommand implements java.util.concurrent.Callable<Integer> {
    @Parameters(index = "0", paramLabel = "DIR", description = "the folder to share")
    Path dir;

    @Option(names = "--listing", paramLabel = "on|off", defaultValue = "on",
            description = "list a folder's files when it has no index.html (default: ${DEFAULT-VALUE})")
    String listing;

    @Option(names = "--spa", description = "single-page app: unknown paths without an extension get the root index.html")
    boolean spa;

    @Option(names = "--name", paramLabel = "NAME", description = "public name to ask for (default: generated)")
    String name;

    @Option(names = "--relay", paramLabel = "URL", description = "relay address, e.g. wss://relay.example.com")
    String relay;

    @Option(names = "--token", paramLabel = "TOKEN", description = "relay token (default: $PORTWAY_TOKEN)")
    String token;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "8080",
            description = "port of the embedded relay when no --relay is given (default: ${DEFAULT-VALUE})")
    int port;

    @Option(names = "--fingerprint", paramLabel = "sha256:HEX", description = "trust exactly this relay certificate")
    String fingerprint;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "where the client key is kept (default: ~/.local/share/portway)")
    Path dataDir;

    @Option(names = {"-q", "--quiet"}, description = "no line per request")
    boolean quiet;

    @CommandLine.Mixin
    RewriteFlags rewrite = new RewriteFlags();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private final Map<String, String> env;

    ShareCommand(Map<String, String> env) {
        this.env = env;
    }

    /** Checks the arguments; bad input becomes a {@link CommandLine.ParameterException} (exit 2). */
    ConnectCommand.Request validate() {
        Map<String, String> options = new LinkedHashMap<>();
        TunnelSpec tunnel;
        if (!listing.equals("on") && !listing.equals("off")) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--listing must be on or off, not '" + listing + "'.");
        }
        try {
            options.put(FolderShare.OPTION_FOLDER, dir.toString());
            options.put(FolderShare.OPTION_LISTING, listing);
            options.put(FolderShare.OPTION_SPA, spa ? "on" : "off");
            FolderShare share = FolderShare.of(options); // says what is wrong with the folder before anything starts
            options.put(FolderShare.OPTION_FOLDER, share.root().toString());
            options.putAll(rewrite.options("http"));
            tunnel = TunnelSpec.folder(name, options);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        ConnectCommand relayPart = new ConnectCommand(env);
        relayPart.spec = spec;
        relayPart.relay = relay;
        relayPart.token = token;
        relayPart.port = port;
        relayPart.fingerprint = fingerprint;
        relayPart.dataDir = dataDir;
        relayPart.wsCompression = dev.portway.shared.protocol.WsCompression.DEFAULT;
        return relayPart.request(tunnel);
    }

    @Override
    public Integer call() throws Exception {
        return ConnectCommand.run(validate(), spec.commandLine().getOut(), quiet);
    }
}
