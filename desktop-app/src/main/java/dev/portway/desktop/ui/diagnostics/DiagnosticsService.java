package dev.portway.desktop.ui.diagnostics;

import dev.portway.desktop.diagnostics.AppInfo;
import dev.portway.desktop.diagnostics.DiagnosticTarget;
import dev.portway.desktop.diagnostics.Diagnostics;
import dev.portway.desktop.diagnostics.StepResult;
import dev.portway.desktop.profiles.Profile;
import dev.portway.desktop.ui.connect.EmbeddedRelayHost;

import java.io.IOException;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Runs {@link Diagnostics} for a profile: EMBEDDED profiles check the relay inside this app (started if it is not
 * yet), REMOTE ones the relay in the profile. UI-free. {@link #run} returns at once; the run happens on {@code work}
 * and every step result, and the end, are handed to {@code fx}.
 */
public final class DiagnosticsService {
    /** A finished run: what was checked and how each step went. */
    public record Run(DiagnosticTarget target, List<StepResult> steps) {
    }

    private final EmbeddedRelayHost embedded;
    /** Asked on the first run, on {@code work}: making the checker can be slow (an HTTP client loads the CA certificates). */
    private final Supplier<Diagnostics> diagnostics;
    private final Executor work;
    private final Executor fx;
    private final Supplier<AppInfo> app;

    public DiagnosticsService(EmbeddedRelayHost embedded, Diagnostics diagnostics, Executor work, Executor fx, Supplier<AppInfo> app) {
        this(embedded, () -> diagnostics, work, fx, app);
    }

    /** As above, with the checker made when a run first needs it (so it costs nothing at start-up). */
    public DiagnosticsService(EmbeddedRelayHost embedded, Supplier<Diagnostics> diagnostics, Executor work, Executor fx,
                              Supplier<AppInfo> app) {
        this.embedded = embedded;
        this.diagnostics = diagnostics;
        this.work = work;
        this.fx = fx;
        this.app = app;
    }

    public AppInfo app() {
        return app.get();
    }

    /**
     * Checks {@code p}; {@code onStep} gets each step as it finishes (on fx). The stage completes on fx with the
     * whole run, or fails when the embedded relay cannot start (its message says why).
     */
    public CompletionStage<Run> run(Profile p, Consumer<StepResult> onStep) {
        CompletableFuture<Run> done = new CompletableFuture<>();
        work.execute(() -> {
            try {
                DiagnosticTarget target = targetOf(p);
                List<StepResult> steps = diagnostics.get().run(target, r -> fx.execute(() -> onStep.accept(r)));
                fx.execute(() -> done.complete(new Run(target, steps)));
            } catch (IOException | RuntimeException e) {
                fx.execute(() -> done.completeExceptionally(e));
            }
        });
        return done;
    }

    private DiagnosticTarget targetOf(Profile p) throws IOException {
        // A shared folder: the local steps check the folder (its path in localHost) instead of a port.
        String kind = p.kind() == Profile.Kind.FOLDER ? DiagnosticTarget.FOLDER : p.kind().wire();
        String local = p.kind() == Profile.Kind.FOLDER ? p.localTarget() : p.localHost();
        if (p.relayMode() == Profile.RelayMode.EMBEDDED) {
            EmbeddedRelayHost.Endpoint e = embedded.endpoint();
            return new DiagnosticTarget(e.connectUrl(), e.token(), kind, local, p.localPort(), true);
        }
        return new DiagnosticTarget(URI.create(p.relayUrl()), p.token(), kind, local, p.localPort(), false);
    }
}
