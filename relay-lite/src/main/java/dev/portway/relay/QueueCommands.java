package dev.portway.relay;

import dev.portway.relay.admin.QueueService;
import dev.portway.relay.store.IdentityStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Map;

/**
 * {@code relay-lite queue list|purge}: the durable queues of queued tunnels, through the {@link QueueService}
 * the web console uses. A purge made here while a relay runs on the same store is picked up by that relay
 * within a few seconds ({@code ChangeWatch}), which then counts the queue's capacity free again.
 */
@Command(name = "queue", description = "List the durable queues of queued tunnels; purge one.",
        subcommands = {QueueCommands.QueueList.class, QueueCommands.QueuePurge.class})
final class QueueCommands {
    private QueueCommands() {
    }

    static QueueService service(AdminCommands.Base c) {
        return new QueueService(c.relayStore, c.services.audit(), null, Map::of, null);
    }

    @Command(name = "list", description = "Stored requests per queued tunnel: count, bytes, age of the oldest.")
    static final class QueueList extends AdminCommands.Base {
        @Override
        void run(IdentityStore id, PrintWriter out) {
            var queues = service(this).list(actor);
            if (queues.isEmpty()) {
                out.println("No queued requests.");
            }
            for (QueueService.QueueInfo q : queues) {
                out.printf("%-24s %-16s %8d requests %12d bytes  oldest %s ago%n", q.tunnel(), q.user() == null ? "-" : q.user(),
                        q.count(), q.bytes(), age(q.oldestAgeMs()));
            }
        }
    }

    @Command(name = "purge", description = "Delete every stored request of a queued tunnel (never delivered); its name stays reserved.")
    static final class QueuePurge extends AdminCommands.Base {
        @Parameters(paramLabel = "TUNNEL")
        String tunnel;
        @Option(names = "--yes", description = "Confirm: the stored requests are deleted, never delivered.")
        boolean yes;

        @Override
        void run(IdentityStore id, PrintWriter out) {
            if (!yes) {
                throw new IllegalArgumentException("Purging the queue of " + tunnel + " deletes its stored requests, never delivered "
                        + "— add --yes to confirm.");
            }
            QueueService.Purged p = service(this).purge(actor, tunnel);
            out.println("Purged the queue of " + p.tunnel() + ": " + p.count() + " requests, " + p.bytes() + " bytes.");
        }
    }

    static String age(long ms) {
        Duration d = Duration.ofMillis(ms);
        if (d.toDays() > 0) {
            return d.toDays() + "d " + d.toHoursPart() + "h";
        }
        if (d.toHours() > 0) {
            return d.toHours() + "h " + d.toMinutesPart() + "m";
        }
        return d.toMinutes() > 0 ? d.toMinutes() + "m " + d.toSecondsPart() + "s" : d.toSeconds() + "s";
    }
}
