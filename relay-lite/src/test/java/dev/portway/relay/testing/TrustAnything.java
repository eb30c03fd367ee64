package dev.portway.relay.testing;

import okhttp3.OkHttpClient;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.function.Consumer;

/**
 * TLS clients for tests of a relay with a self-signed certificate: they accept any server certificate (never do this
 * outside a test) and can hand the one presented to the test.
 */
public final class TrustAnything {
    private TrustAnything() {
    }

    /** Accepts any server chain and passes its first certificate to {@code seen}. */
    public static X509TrustManager recording(Consumer<X509Certificate> seen) {
        return new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
                seen.accept(chain[0]);
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        };
    }

    public static SSLContext context(X509TrustManager trust) throws GeneralSecurityException {
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, new TrustManager[]{trust}, null);
        return ctx;
    }

    /** An OkHttp client that accepts any certificate for any host name. */
    public static OkHttpClient okHttp() throws GeneralSecurityException {
        X509TrustManager any = recording(c -> { });
        return new OkHttpClient.Builder().sslSocketFactory(context(any).getSocketFactory(), any)
                .hostnameVerifier((h, s) -> true).build();
    }
}
