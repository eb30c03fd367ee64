package dev.portway.desktop.ui.transfer;

import dev.portway.desktop.profiles.ImportReview;
import dev.portway.desktop.profiles.ProfileService;
import dev.portway.desktop.profiles.ProfileTransfer;
import dev.portway.shared.profile.ProfileFileException;
import dev.portway.shared.text.SafeText;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;

import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.stream.Collectors;

/**
 * Export and import of profiles files from the window. Commands return at once; the file and the store are
 * used on the store's thread and results come back on {@code fx}. Questions for the person (clashes) and
 * problem lists go through {@link Prompts}, which the view implements with dialogs. FX thread only.
 */
public final class TransferViewModel {
    /** What the view asks or shows; called on the FX thread. */
    public interface Prompts {
        /**
         * Shows what the import would add — per profile its name, target and relay, with warnings and notes — and asks
         * whether to go on. False (or closing the dialog) cancels the import; nothing has changed yet.
         */
        boolean confirmImport(String fileName, List<ImportReview> reviews, int warnings);

        /**
         * How to resolve each name clash, by profile number in the file; empty to cancel the import.
         * Every clash must have a choice.
         */
        Optional<Map<Integer, ProfileTransfer.Choice>> resolveClashes(List<ProfileTransfer.Clash> clashes);

        /** A file that cannot be imported, or a failed export: {@code title} and every problem. Nothing changed. */
        void showProblems(String title, List<String> problems);
    }

    private final ProfileService profiles;
    private final Executor fx;
    private final Runnable imported;
    private final BooleanProperty busy = new SimpleBooleanProperty();
    private final StringProperty status = new SimpleStringProperty("");

    /** @param imported run on {@code fx} after an import saved something (the main list reloads) */
    public TransferViewModel(ProfileService profiles, Executor fx, Runnable imported) {
        this.profiles = profiles;
        this.fx = fx;
        this.imported = imported;
    }

    public void export(Path file, boolean includeSecrets, Prompts prompts) {
        if (busy.get()) {
            return;
        }
        busy.set(true);
        profiles.export(file, includeSecrets).whenCompleteAsync((all, error) -> {
            busy.set(false);
            if (error != null) {
                prompts.showProblems("Could not export profiles", List.of(messageOf(error)));
                return;
            }
            status.set("Exported " + count(all.size()) + " to " + file.getFileName()
                    + (includeSecrets ? " with tokens." : " (without tokens)."));
        }, fx);
    }

    /**
     * Checks {@code file}, shows what it would add and asks to confirm, asks about clashes, then imports everything in
     * one transaction — or nothing. Imported profiles never auto-connect (see {@link ProfileTransfer}).
     */
    public void importFrom(Path file, Prompts prompts) {
        if (busy.get()) {
            return;
        }
        busy.set(true);
        profiles.readImport(file).whenCompleteAsync((plan, error) -> {
            if (error != null) {
                busy.set(false);
                Throwable cause = unwrap(error);
                prompts.showProblems("Nothing was imported from " + file.getFileName(),
                        cause instanceof ProfileFileException bad ? bad.problems() : List.of(messageOf(error)));
                return;
            }
            if (!plan.entries().isEmpty()
                    && !prompts.confirmImport(SafeText.escape(file.getFileName().toString()), plan.reviews(), plan.warningCount())) {
                busy.set(false);
                status.set("Import cancelled; nothing changed.");
                return;
            }
            Map<Integer, ProfileTransfer.Choice> choices = Map.of();
            if (!plan.clashes().isEmpty()) {
                Optional<Map<Integer, ProfileTransfer.Choice>> asked = prompts.resolveClashes(plan.clashes());
                if (asked.isEmpty()) {
                    busy.set(false);
                    status.set("Import cancelled; nothing changed.");
                    return;
                }
                choices = asked.get();
            }
            Map<Integer, ProfileTransfer.Choice> chosen = choices;
            // A clash that appeared since the file was read (an edit meanwhile) is renamed: nothing is lost.
            profiles.applyImport(plan, c -> chosen.getOrDefault(c.number(), ProfileTransfer.Choice.RENAME))
                    .whenCompleteAsync((outcomes, failed) -> {
                        busy.set(false);
                        if (failed != null) {
                            prompts.showProblems("Nothing was imported from " + file.getFileName(), List.of(messageOf(failed)));
                            return;
                        }
                        boolean autoConnectOff = plan.reviews().stream().anyMatch(r -> r.entry().autoConnect());
                        status.set(summary(outcomes) + (autoConnectOff
                                ? " Auto-connect stays off until you turn it on in the editor." : ""));
                        imported.run();
                    }, fx);
        }, fx);
    }

    static String summary(List<ProfileTransfer.Outcome> outcomes) {
        Map<ProfileTransfer.Outcome.Action, Long> by = outcomes.stream().collect(Collectors.groupingBy(
                ProfileTransfer.Outcome::action, () -> new EnumMap<>(ProfileTransfer.Outcome.Action.class), Collectors.counting()));
        if (by.isEmpty()) {
            return "The file holds no profiles; nothing changed.";
        }
        return "Imported: " + by.entrySet().stream()
                .map(e -> e.getValue() + " " + e.getKey().name().toLowerCase(java.util.Locale.ROOT))
                .collect(Collectors.joining(", ")) + ".";
    }

    private static String count(int n) {
        return n == 1 ? "1 profile" : n + " profiles";
    }

    private static Throwable unwrap(Throwable error) {
        return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    }

    private static String messageOf(Throwable error) {
        Throwable cause = unwrap(error);
        return cause.getMessage() != null ? cause.getMessage() : cause.toString();
    }

    public void dismissStatus() {
        status.set("");
    }

    /** An export or import is under way. */
    public ReadOnlyBooleanProperty busyProperty() {
        return busy;
    }

    /** What the last export or import did, in words; empty when nothing to say. */
    public ReadOnlyStringProperty statusProperty() {
        return status;
    }
}
