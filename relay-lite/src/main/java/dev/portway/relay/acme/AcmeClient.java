package dev.portway.relay.acme;

import dev.portway.relay.store.CertificateStore;
import org.shredzone.acme4j.AccountBuilder;
import org.shredzone.acme4j.Authorization;
import org.shredzone.acme4j.Certificate;
import org.shredzone.acme4j.Login;
import org.shredzone.acme4j.Order;
import org.shredzone.acme4j.PollableResource;
import org.shredzone.acme4j.Problem;
import org.shredzone.acme4j.RevocationReason;
import org.shredzone.acme4j.Session;
import org.shredzone.acme4j.Status;
import org.shredzone.acme4j.challenge.Http01Challenge;
import org.shredzone.acme4j.connector.NetworkSettings;
import org.shredzone.acme4j.exception.AcmeException;
import org.shredzone.acme4j.exception.AcmeServerException;
import org.shredzone.acme4j.provider.GenericAcmeProvider;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.List;

/**
 * The relay's side of RFC 8555 over acme4j: its account (key kept in the store), one order per host with an HTTP-01
 * challenge answered through {@link ChallengeTokens}, revocation. Every method blocks on the network: call them on
 * the {@code relay-acme} thread only. Failures are {@link AcmeRefusal}s whose message says what happened in words.
 */
final class AcmeClient {
    /** How long one challenge or finalisation may take before the order is given up. */
    static final Duration ORDER_TIMEOUT = Duration.ofSeconds(60);

    /** A certificate just issued: its key and chain (leaf first). */
    record Issued(KeyPair key, List<X509Certificate> chain) {
    }

    private final AcmeSettings settings;
    private final CertificateStore store;
    private final ChallengeTokens tokens;
    private Session session;
    private Login login;

    AcmeClient(AcmeSettings settings, CertificateStore store, ChallengeTokens tokens) {
        this.settings = settings;
        this.store = store;
        this.tokens = tokens;
    }

    String directory() {
        return settings.directory().toString();
    }

    /** Orders, validates and downloads a certificate for {@code host}. */
    Issued order(String host) throws AcmeRefusal {
        try {
            Login l = login();
            Order order = l.getAccount().newOrder().domain(host).create();
            for (Authorization auth : order.getAuthorizations()) {
                if (auth.getStatus() == Status.VALID) {
                    continue; // the CA remembers a recent validation of this name
                }
                Http01Challenge challenge = auth.findChallenge(Http01Challenge.class).orElseThrow(() -> new AcmeRefusal(
                        "The ACME server offers no HTTP-01 challenge for " + host + " — the relay can prove names only "
                                + "over plain HTTP."));
                tokens.put(challenge.getToken(), challenge.getAuthorization());
                try {
                    challenge.trigger();
                    Status s = poll(challenge);
                    if (s != Status.VALID) {
                        throw new AcmeRefusal("The ACME server refused to validate " + host + ": "
                                + describe(challenge.getError().orElse(null), "its check of the name did not pass")
                                + " — the CA must reach http://" + host + "/.well-known/acme-challenge/ on port 80, which must "
                                + "lead to the relay's --http-redirect-port.");
                    }
                } finally {
                    tokens.remove(challenge.getToken());
                }
            }
            KeyPair domainKey = KeyPem.newP256();
            order.execute(domainKey);
            Status s = poll(order);
            if (s != Status.VALID) {
                throw new AcmeRefusal("The ACME server did not issue a certificate for " + host + ": "
                        + describe(order.getError().orElse(null), "the order ended as " + s.name().toLowerCase()) + ".");
            }
            Certificate cert = order.getCertificate();
            return new Issued(domainKey, List.copyOf(cert.getCertificateChain()));
        } catch (AcmeServerException e) {
            throw new AcmeRefusal("The ACME server refused the order for " + host + ": " + describe(e.getProblem(), e.getMessage())
                    + ".", e);
        } catch (AcmeException e) {
            throw new AcmeRefusal("Cannot order a certificate for " + host + " from " + settings.directory() + ": "
                    + e.getMessage() + " — check --acme-directory and that the relay reaches it.", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AcmeRefusal("The order for " + host + " was interrupted (the relay is stopping).", e);
        }
    }

    /**
     * Fetches {@code r} until it is valid or invalid: after the server's Retry-After when it gives one, else after 250 ms
     * doubling up to 3 s (acme4j's own wait polls every 3 s, which makes every order take seconds).
     */
    private static Status poll(PollableResource r) throws AcmeException, InterruptedException, AcmeRefusal {
        long deadline = System.nanoTime() + ORDER_TIMEOUT.toNanos();
        long pause = 250;
        while (true) {
            Optional<Instant> retryAfter = r.fetch();
            Status s = r.getStatus();
            if (s == Status.VALID || s == Status.INVALID) {
                return s;
            }
            if (System.nanoTime() > deadline) {
                throw new AcmeRefusal("The ACME server did not finish within " + ORDER_TIMEOUT.toSeconds() + " s (status "
                        + s.name().toLowerCase() + ") — try again later.");
            }
            long wait = retryAfter.map(t -> Math.max(0, Duration.between(Instant.now(), t).toMillis())).orElse(pause);
            Thread.sleep(Math.min(wait, 10_000));
            pause = Math.min(pause * 2, 3_000);
        }
    }

    /** Revokes a certificate this account obtained. */
    void revoke(X509Certificate cert) throws AcmeRefusal {
        try {
            Certificate.revoke(login(), cert, RevocationReason.UNSPECIFIED);
        } catch (AcmeServerException e) {
            throw new AcmeRefusal("The ACME server refused to revoke the certificate: " + describe(e.getProblem(), e.getMessage())
                    + ".", e);
        } catch (AcmeException e) {
            throw new AcmeRefusal("Cannot revoke the certificate at " + settings.directory() + ": " + e.getMessage() + ".", e);
        }
    }

    /** The account: its key from the store (made and saved on first use), registered with the CA once per run. */
    private Login login() throws AcmeException, AcmeRefusal {
        if (login != null) {
            return login;
        }
        String pem = store.accountKey(directory()).orElse(null);
        KeyPair key;
        try {
            if (pem == null) {
                pem = store.saveAccountKey(directory(), KeyPem.write(KeyPem.newP256()));
            }
            key = KeyPem.read(pem);
        } catch (GeneralSecurityException e) {
            throw new AcmeRefusal("The ACME account key in the relay's store cannot be read (" + e.getMessage() + ").", e);
        }
        Session s = session();
        login = new AccountBuilder().addEmail(settings.email()).agreeToTermsOfService().useKeyPair(key).createLogin(s);
        return login;
    }

    private Session session() throws AcmeRefusal {
        if (session == null) {
            URI dir = settings.directory();
            session = settings.trustedCa() == null ? new Session(dir) : new Session(dir, new TrustingProvider(sslContext(settings.trustedCa())));
            session.networkSettings().setTimeout(Duration.ofSeconds(20));
        }
        return session;
    }

    static String describe(Problem p, String otherwise) {
        if (p == null) {
            return otherwise;
        }
        String detail = p.getDetail().orElse(p.getTitle().orElse(p.getType().toString()));
        return p.getSubProblems().isEmpty() ? detail : detail + " (" + String.join("; ", p.getSubProblems().stream()
                .map(sp -> sp.getDetail().orElse(sp.getType().toString())).toList()) + ")";
    }

    /** The JDK's trust store plus nothing else is the default; this trusts exactly the CAs in a PEM file. */
    static SSLContext sslContext(Path caFile) throws AcmeRefusal {
        try (InputStream in = Files.newInputStream(caFile)) {
            KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
            ks.load(null, null);
            int i = 0;
            for (var c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                ks.setCertificateEntry("ca" + i++, c);
            }
            if (i == 0) {
                throw new AcmeRefusal("No certificate in " + caFile + " — --acme-ca-file must be a PEM file of CA certificates.");
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (IOException | GeneralSecurityException e) {
            throw new AcmeRefusal("Cannot read the CA file " + caFile + " (" + e.getMessage() + ") — --acme-ca-file must be "
                    + "a readable PEM file of CA certificates.", e);
        }
    }

    /** The generic provider, with an HTTP client that trusts the CAs of {@code --acme-ca-file}. */
    private static final class TrustingProvider extends GenericAcmeProvider {
        private final SSLContext ssl;

        TrustingProvider(SSLContext ssl) {
            this.ssl = ssl;
        }

        @Override
        public HttpClient createHttpClient(NetworkSettings settings) {
            return HttpClient.newBuilder().connectTimeout(settings.getTimeout()).followRedirects(HttpClient.Redirect.NORMAL)
                    .proxy(settings.getProxySelector()).sslContext(ssl).build();
        }
    }
}
