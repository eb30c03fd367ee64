package dev.portway.desktop.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;
import java.util.Map;

/**
 * The headless {@code portway} command: {@code portway connect http 3000}. Exit codes: 0 after a clean
 * close (Ctrl-C), 1 when the engine gave up, 2 for bad input.
 */
@Command(name = "portway", mixinStandardHelpOptions = true, versionProvider = PortwayCli.Version.class,
        description = "Put a local service at a public address on a Portway relay.",
        subcommands = {ConnectCommand.class, ShareCommand.class, RelayCommand.class})
public final class PortwayCli implements Runnable {
    static final int EXIT_FAILED = 1;
    static final int EXIT_USAGE = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args, System.getenv(), new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the command line; returns the exit code. {@code env} supplies {@code PORTWAY_TOKEN}. */
    static int run(String[] args, Map<String, String> env, PrintWriter out, PrintWriter err) {
        CommandLine cli = commandLine(env, out, err);
        return cli.execute(args);
    }

    static CommandLine commandLine(Map<String, String> env, PrintWriter out, PrintWriter err) {
        CommandLine cli = new CommandLine(new PortwayCli(), new CommandLine.IFactory() {
            @Override
            public <K> K create(Class<K> cls) throws Exception {
                if (cls == ConnectCommand.class) {
                    return cls.cast(new ConnectCommand(env));
                }
                if (cls == ShareCommand.class) {
                    return cls.cast(new ShareCommand(env));
                }
                if (cls == RelayCommand.class) {
                    return cls.cast(new RelayCommand(env));
                }
                return CommandLine.defaultFactory().create(cls);
            }
        });
        cli.setOut(out);
        cli.setErr(err);
        cli.setParameterExceptionHandler((e, args) -> {
            String hint = switch (e.getCommandLine().getCommandName()) {
                case "connect" -> "try: portway connect http 3000";
                case "share" -> "try: portway share ./public";
                case "relay" -> "try: portway relay install root@your-server --key ~/.ssh/id_ed25519";
                default -> "try: portway connect --help";
            };
            err.println("portway: " + e.getMessage() + " (" + hint + ")");
            err.flush();
            return EXIT_USAGE;
        });
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            err.println("portway: " + e.getMessage());
            err.flush();
            return EXIT_FAILED;
        });
        return cli;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = PortwayCli.class.getPackage().getImplementationVersion();
            return new String[] {"portway " + (v != null ? v : "0.1.0")};
        }
    }
}
