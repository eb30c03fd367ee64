package dev.portway.desktop.profiles;

import dev.portway.shared.profile.ProfileFile;
import dev.portway.shared.profile.ProfileFileException;

import dev.portway.shared.text.SafeText;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Locale;

/**
 * The desktop app's window-less profile commands, for power users and scripts:
 * <pre>
 * PortwayDesktop --export FILE [--include-secrets] [--data-dir DIR]
 * PortwayDesktop --import FILE [--on-clash rename|replace|skip] [--accept-warnings] [--keep-auto-connect] [--data-dir DIR]
 * </pre>
 * Import first prints what the file would add — per profile its name, local target and relay, with warnings
 * ({@link ImportReview}) — then imports it only when nothing needs confirming: warnings need
 * {@code --accept-warnings}, name clashes {@code --on-clash}. Imported profiles never auto-connect, unless the command
 * line says {@code --keep-auto-connect} (a script importing a file it wrote, e.g. {@code bench/desktop.sh}). Prints one line
 * per profile on {@code out}; every name and value from a file or the store is escaped ({@link SafeText}).
 * Exit codes: 0 done; 1 nothing done (warnings or clashes not confirmed, an export import could not read back, or the
 * data or the file could not be used); 2 bad usage or a bad profiles file, with every problem on {@code err}.
 * Nothing is changed unless the exit code is 0.
 */
public final class ProfilesCommand {
    public static final int OK = 0;
    public static final int FAILED = 1;
    public static final int BAD_INPUT = 2;
    /** Confirms an import whose review has warnings (a target that is not this machine, a relay not in use yet). */
    public static final String ACCEPT_WARNINGS = "--accept-warnings";
    /** Keeps the file's auto-connect instead of turning it off: for scripts that wrote the file themselves. */
    public static final String KEEP_AUTO_CONNECT = "--keep-auto-connect";

    private ProfilesCommand() {
    }

    /** True when {@code args} ask for one of these commands rather than the window. */
    public static boolean wanted(List<String> args) {
        return args.contains("--export") || args.contains("--import");
    }

    public static int run(List<String> args, Path dataDir, Clock clock, PrintWriter out, PrintWriter err) {
        try {
            return execute(args, dataDir, clock, out, err);
        } finally {
            out.flush();
            err.flush();
        }
    }

    private static int execute(List<String> args, Path dataDir, Clock clock, PrintWriter out, PrintWriter err) {
        String export = value(args, "--export");
        String importFile = value(args, "--import");
        String onClash = value(args, "--on-clash");
        if (export != null && importFile != null || export == null && importFile == null) {
            return usage(err, "give either --export FILE or --import FILE");
        }
        if (export != null && (args.contains("--on-clash") || args.contains(ACCEPT_WARNINGS) || args.contains(KEEP_AUTO_CONNECT))
                || importFile != null && args.contains("--include-secrets")) {
            return usage(err, export != null ? (args.contains("--on-clash") ? "--on-clash"
                    : args.contains(ACCEPT_WARNINGS) ? ACCEPT_WARNINGS : KEEP_AUTO_CONNECT) + " goes with --import"
                    : "--include-secrets goes with --export");
        }
        ProfileTransfer.Choice choice = null;
        if (onClash != null) {
            try {
                choice = ProfileTransfer.Choice.valueOf(onClash.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                return usage(err, "--on-clash must be rename, replace or skip, not \"" + onClash + "\"");
            }
        } else if (args.contains("--on-clash")) {
            return usage(err, "--on-clash needs rename, replace or skip");
        }
        if (args.contains("--export") && export == null || args.contains("--import") && importFile == null) {
            return usage(err, "give the file after " + (args.contains("--export") ? "--export" : "--import"));
        }
        try (ProfileStore store = ProfileStore.open(dataDir)) {
            ProfileTransfer transfer = new ProfileTransfer(store, new ProfileFile(clock));
            if (export != null) {
                boolean secrets = args.contains("--include-secrets");
                List<Profile> written;
                try {
                    written = transfer.export(Path.of(export), secrets);
                } catch (ProfileFileException e) {
                    err.println("Nothing was exported:");
                    e.problems().forEach(p -> err.println("  " + p));
                    return FAILED;
                }
                for (Profile p : written) {
                    out.println(SafeText.escape(String.format("%-9s %s", "exported", p.name())));
                }
                if (!secrets) {
                    err.println("Relay tokens were left out; add --include-secrets to write them.");
                }
                return OK;
            }
            ProfileTransfer.Plan plan = transfer.read(Path.of(importFile));
            boolean keepAutoConnect = args.contains(KEEP_AUTO_CONNECT);
            printReview(plan, keepAutoConnect, out);
            boolean refused = false;
            if (plan.warningCount() > 0 && !args.contains(ACCEPT_WARNINGS)) {
                err.println("Nothing was imported: the file has " + (plan.warningCount() == 1 ? "a warning" : plan.warningCount()
                        + " warnings") + " (above). Check them; if you trust this file, run again with " + ACCEPT_WARNINGS + ".");
                refused = true;
            }
            if (!plan.clashes().isEmpty() && choice == null) {
                err.println((refused ? "Also: " : "Nothing was imported: ") + plan.clashes().size()
                        + " profile(s) have the name of one you already have:");
                for (ProfileTransfer.Clash c : plan.clashes()) {
                    err.println(SafeText.escape("  Profile " + c.number() + " (\"" + c.incoming().name() + "\") — you already have \""
                            + c.existing().name() + "\""));
                }
                err.println("Choose what to do with --on-clash rename|replace|skip.");
                refused = true;
            }
            if (refused) {
                return FAILED;
            }
            ProfileTransfer.Choice all = choice;
            for (ProfileTransfer.Outcome o : transfer.apply(plan, c -> all, keepAutoConnect)) {
                out.println(SafeText.escape(o.line()));
            }
            return OK;
        } catch (ProfileFileException e) {
            err.println("Nothing was imported — " + importFile + " has " + (e.problems().size() == 1 ? "a problem:" : "problems:"));
            e.problems().forEach(p -> err.println("  " + p));
            return BAD_INPUT;
        } catch (NoSuchFileException e) {
            if (export != null) {
                err.println(ProfileTransfer.describe(e, Path.of(export), true));
                return FAILED;
            }
            err.println("No such file: " + importFile);
            return BAD_INPUT;
        } catch (IOException e) {
            err.println(ProfileTransfer.describe(e, Path.of(export != null ? export : importFile), export != null));
            return FAILED;
        } catch (StoreException e) {
            err.println(e.getMessage());
            return FAILED;
        }
    }

    /** What the file would add, one block per profile: the summary, then its warnings and notes. */
    private static void printReview(ProfileTransfer.Plan plan, boolean keepAutoConnect, PrintWriter out) {
        if (plan.reviews().isEmpty()) {
            return;
        }
        out.println("The file holds " + (plan.reviews().size() == 1 ? "1 profile:" : plan.reviews().size() + " profiles:"));
        for (ImportReview r : plan.reviews()) {
            out.println("  " + r.summary());
            r.warnings().forEach(w -> out.println("     warning: " + w));
            if (keepAutoConnect && r.entry().autoConnect()) {
                out.println("     note: auto-connect is on in the file and kept on (" + KEEP_AUTO_CONNECT
                        + "): it connects when the app starts.");
            } else {
                r.notes().forEach(n -> out.println("     note: " + n));
            }
        }
    }

    private static int usage(PrintWriter err, String problem) {
        err.println("PortwayDesktop: " + problem + ".");
        err.println("usage: PortwayDesktop --export FILE [--include-secrets] [--data-dir DIR]");
        err.println("       PortwayDesktop --import FILE [--on-clash rename|replace|skip] [--accept-warnings] [--keep-auto-connect]");
        err.println("                      [--data-dir DIR]");
        return BAD_INPUT;
    }

    private static String value(List<String> args, String name) {
        int i = args.indexOf(name);
        return i >= 0 && i + 1 < args.size() && !args.get(i + 1).startsWith("--") ? args.get(i + 1) : null;
    }
}
