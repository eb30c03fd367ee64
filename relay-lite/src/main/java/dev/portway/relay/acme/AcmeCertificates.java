package dev.portway.relay.acme;

import dev.portway.relay.store.CertificateStore;
import dev.portway.relay.store.CertificateStore.StoredCertificate;
import dev.portway.relay.tls.RelayTls;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Certificates per tunnel host from an ACME server, on demand: the first TLS handshake whose SNI name is
 * {@code <name>.<domain>} of a bound HTTP tunnel starts an order; that handshake, and every one until the certificate
 * is issued, gets the fallback certificate (it does not wait). Certificates are kept in the store, loaded at start,
 * and renewed once less than {@link AcmeSettings#renewBefore()} of their validity is left.
 *
 * <p>Threads: {@link #select} runs on event loops and reads memory only. Orders, renewals, revocations and store
 * access run on the one {@code relay-acme} thread (orders are few and slow; one at a time keeps the CA's rate limits
 * and the account's state simple). {@link #close} stops that thread.
 */
public final class AcmeCertificates implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AcmeCertificates.class);
    /** How often the renewal check runs (it reads memory; orders only what is due). */
    static final Duration RENEW_CHECK = Duration.ofHours(1);
    /** Per-name refusal messages kept at most (names reach this map only after they passed the limiter). */
    private static final int MAX_PROBLEMS = 1000;

    private record Served(SslContext context, List<X509Certificate> chain) {
        Instant notAfter() {
            return chain.getFirst().getNotAfter().toInstant();
        }
    }

    private final AcmeSettings settings;
    private final CertificateStore store;
    private final String domainSuffix;
    private final Predicate<String> boundHttpTunnel;
    private final SslContext fallback;
    private final ChallengeTokens tokens = new ChallengeTokens();
    private final AcmeClient client;
    private final OrderLimiter limiter;
    private final Map<String, Served> served = new ConcurrentHashMap<>();
    private final Map<String, String> problems = new ConcurrentHashMap<>();
    private final ScheduledThreadPoolExecutor executor;

    /**
     * @param domain          the relay's domain: tunnel hosts are {@code <name>.<domain>}
     * @param boundHttpTunnel whether an HTTP tunnel is bound to a name now; called on event loops, must not block
     * @param fallback        what connections get without an ACME certificate for their name
     */
    public AcmeCertificates(AcmeSettings settings, CertificateStore store, String domain, Predicate<String> boundHttpTunnel,
                            SslContext fallback) {
        this.settings = settings;
        this.store = store;
        this.domainSuffix = "." + domain.toLowerCase(Locale.ROOT);
        this.boundHttpTunnel = boundHttpTunnel;
        this.fallback = fallback;
        this.client = new AcmeClient(settings, store, tokens);
        this.limiter = new OrderLimiter(settings.ordersPerHour(), settings.retryAfter(), System::nanoTime);
        this.executor = new ScheduledThreadPoolExecutor(1, new DefaultThreadFactory("relay-acme", true));
        executor.setRemoveOnCancelPolicy(true);
    }

    /** Loads the stored certificates (blocks until done) and starts the renewal check. */
    public void start() {
        CompletableFuture.runAsync(this::load, executor).join();
        long every = RENEW_CHECK.toMillis();
        executor.scheduleWithFixedDelay(this::renewQuietly, 60_000, every, TimeUnit.MILLISECONDS);
    }

    /** The open HTTP-01 challenges, for the redirect port's {@link Http01Responder}. */
    public ChallengeTokens tokens() {
        return tokens;
    }

    /**
     * The context for a connection's SNI name: its ACME certificate when there is one, else the fallback — and, for a
     * bound tunnel host the limiter lets through, an order starts in the background. Event loop; never blocks.
     */
    public SslContext select(String sniName) {
        if (sniName == null) {
            return fallback;
        }
        String host = sniName.toLowerCase(Locale.ROOT);
        Served s = served.get(host);
        if (s != null) {
            return s.context();
        }
        if (notEligible(host) == null && limiter.tryStart(host) == null) {
            executor.execute(() -> {
                try {
                    orderNow(host);
                } catch (AcmeRefusal alreadyLogged) {
                    // kept in problems(), see status()
                }
            });
        }
        return fallback;
    }

    /** Orders a certificate for {@code host} now (same checks and limits as a handshake). Fails with an {@link AcmeRefusal}. */
    public CompletableFuture<X509Certificate> obtain(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        return CompletableFuture.supplyAsync(() -> {
            try {
                String why = notEligible(h);
                if (why == null) {
                    why = limiter.tryStart(h);
                }
                if (why != null) {
                    throw new AcmeRefusal("No certificate is ordered for " + h + ": " + why + ".");
                }
                return orderNow(h);
            } catch (AcmeRefusal e) {
                throw new CompletionException(e);
            }
        }, executor);
    }

    /** Renews every certificate of a still-bound name with less than {@code renewBefore} left; completes with how many. */
    public CompletableFuture<Integer> renewDue() {
        return CompletableFuture.supplyAsync(this::renew, executor);
    }

    /** Revokes the certificate of {@code host} at the CA and forgets it; the name falls back until a new order. */
    public CompletableFuture<Void> revoke(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        return CompletableFuture.runAsync(() -> {
            Served s = served.get(h);
            try {
                if (s == null) {
                    throw new AcmeRefusal("The relay has no ACME certificate for " + h + " to revoke.");
                }
                client.revoke(s.chain().getFirst());
            } catch (AcmeRefusal e) {
                throw new CompletionException(e);
            }
            served.remove(h, s);
            store.delete(h);
            log.info("Revoked the certificate of {} (serial {})", h, s.chain().getFirst().getSerialNumber().toString(16));
        }, executor);
    }

    /** The ACME certificate served for {@code host} now, or null. */
    public X509Certificate certificate(String host) {
        Served s = served.get(host.toLowerCase(Locale.ROOT));
        return s == null ? null : s.chain().getFirst();
    }

    /** Where {@code host} stands, in words: served, in progress, refused (and why), or why it is not ordered. */
    public String status(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        Served s = served.get(h);
        if (s != null) {
            return "A certificate from " + settings.directory() + " is served for " + h + ", valid until " + s.notAfter() + ".";
        }
        if (limiter.inFlight(h)) {
            return "An order for " + h + " is in progress; until it is issued, visitors get the fallback certificate.";
        }
        String problem = problems.get(h);
        if (problem != null) {
            return problem;
        }
        String why = notEligible(h);
        return why != null ? "No certificate is ordered for " + h + ": " + why + "."
                : "No certificate for " + h + " yet: the first TLS handshake for it starts an order.";
    }

    /** Why {@code host} gets no order, or null when it is the host of a bound HTTP tunnel. Never blocks. */
    private String notEligible(String host) {
        if (!host.endsWith(domainSuffix) || host.length() == domainSuffix.length()) {
            return host + " is not a tunnel host under " + domainSuffix.substring(1);
        }
        String name = host.substring(0, host.length() - domainSuffix.length());
        if (name.contains(".")) {
            return host + " is not a tunnel host (tunnel names have no dots)";
        }
        return boundHttpTunnel.test(name) ? null : "no HTTP tunnel is bound to " + name;
    }

    /** Runs an order the limiter let through; on the ACME thread. */
    private X509Certificate orderNow(String host) throws AcmeRefusal {
        boolean refused = true;
        try {
            AcmeClient.Issued issued;
            try {
                issued = client.order(host);
            } catch (RuntimeException e) { // the store failed (account key), or acme4j did not expect an answer
                throw new AcmeRefusal("Cannot order a certificate for " + host + ": " + e.getMessage(), e);
            }
            Served s = new Served(RelayTls.serverContext(issued.key().getPrivate(), issued.chain()), issued.chain());
            store.save(new StoredCertificate(host, client.directory(), chainPem(issued.chain()), keyPem(issued.key()),
                    s.notAfter().toEpochMilli(), System.currentTimeMillis()));
            served.put(host, s);
            problems.remove(host);
            refused = false;
            log.info("Obtained a certificate for {} from {}, valid until {}", host, settings.directory(), s.notAfter());
            return s.chain().getFirst();
        } catch (AcmeRefusal e) {
            remember(host, e.getMessage());
            throw e;
        } catch (RuntimeException e) {
            String m = "The certificate for " + host + " was issued but cannot be kept or served: " + e.getMessage();
            remember(host, m);
            throw new AcmeRefusal(m, e);
        } finally {
            limiter.finished(host, refused);
        }
    }

    private void remember(String host, String message) {
        if (problems.size() >= MAX_PROBLEMS) {
            problems.clear();
        }
        problems.put(host, message);
        log.warn("{}", message);
    }

    private int renew() {
        Instant dueBy = Instant.now().plus(settings.renewBefore());
        int renewed = 0;
        for (var e : List.copyOf(served.entrySet())) {
            String host = e.getKey();
            if (e.getValue().notAfter().isAfter(dueBy) || notEligible(host) != null) {
                continue; // not due yet, or its tunnel is gone: it expires on its own
            }
            String why = limiter.tryStart(host);
            if (why != null) {
                log.info("Not renewing the certificate of {} now: {}", host, why);
                continue;
            }
            try {
                orderNow(host);
                renewed++;
            } catch (AcmeRefusal logged) {
                // the old certificate is served until it expires; the next check tries again
            }
        }
        return renewed;
    }

    private void renewQuietly() {
        try {
            renew();
        } catch (RuntimeException e) {
            log.warn("The certificate renewal check failed: {}", e.getMessage());
        }
    }

    private void load() {
        int n = 0;
        for (StoredCertificate c : store.certificates()) {
            if (!c.directory().equals(client.directory())) {
                continue; // from another CA (the operator changed --acme-directory): new names order anew
            }
            try {
                List<X509Certificate> chain = readChain(c.chainPem());
                KeyPair key = KeyPem.read(c.keyPem());
                served.put(c.host(), new Served(RelayTls.serverContext(key.getPrivate(), chain), chain));
                n++;
            } catch (java.security.GeneralSecurityException | RuntimeException e) {
                log.warn("Skipping the stored certificate of {}: it cannot be read ({}); the next handshake orders a new one",
                        c.host(), e.getMessage());
            }
        }
        if (n > 0) {
            log.info("{} ACME certificates loaded from the store", n);
        }
    }

    static String chainPem(List<X509Certificate> chain) {
        StringBuilder b = new StringBuilder();
        var enc = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII));
        try {
            for (X509Certificate c : chain) {
                b.append("-----BEGIN CERTIFICATE-----\n").append(enc.encodeToString(c.getEncoded()))
                        .append("\n-----END CERTIFICATE-----\n");
            }
        } catch (java.security.cert.CertificateEncodingException e) {
            throw new IllegalStateException("An issued certificate cannot be encoded: " + e.getMessage(), e);
        }
        return b.toString();
    }

    static List<X509Certificate> readChain(String pem) throws CertificateException {
        List<X509Certificate> out = new ArrayList<>();
        for (var c : CertificateFactory.getInstance("X.509").generateCertificates(
                new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))) {
            out.add((X509Certificate) c);
        }
        if (out.isEmpty()) {
            throw new CertificateException("no certificate in the stored chain");
        }
        return out;
    }

    private static String keyPem(KeyPair key) {
        return KeyPem.write(key);
    }

    /** Stops orders and renewals (an order in flight is interrupted). */
    @Override
    public void close() {
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
