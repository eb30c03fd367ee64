package dev.portway.relay;

import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Runs relay-lite's admin commands in-process against a data directory, as a person would type them. */
final class AdminCli {
    private final Path dataDir;

    AdminCli(Path dataDir) {
        this.dataDir = dataDir;
    }

    record Result(int exit, String out, String err) {
    }

    Result run(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        // --data-dir belongs to the leaf command: insert it after the command words (before the first option or at the end).
        all.add("--data-dir=" + dataDir);
        CommandLine cmd = RelayMain.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        int exit = cmd.execute(all.toArray(String[]::new));
        return new Result(exit, out.toString(), err.toString());
    }

    /** Creates a user and a token; returns the token's secret. */
    String userWithToken(String user, String tier) {
        Result add = run("users", "add", user, "--tier", tier);
        if (add.exit() != 0) {
            throw new AssertionError(add.err());
        }
        Result t = run("tokens", "create", user);
        if (t.exit() != 0) {
            throw new AssertionError(t.err());
        }
        return secretIn(t.out());
    }

    static String secretIn(String out) {
        return out.lines().filter(l -> l.startsWith("pw_")).findFirst().orElseThrow(() -> new AssertionError("no token in " + out));
    }

    static String tokenIdIn(String out) {
        return out.split(" ")[1];
    }
}
