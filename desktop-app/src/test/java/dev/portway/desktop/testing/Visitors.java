package dev.portway.desktop.testing;

import okhttp3.Dns;
import okhttp3.OkHttpClient;

import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A visitor's HTTP client for tests: real OkHttp, with {@code *.localhost} resolving to loopback as browsers do. */
public final class Visitors {
    private Visitors() {
    }

    public static OkHttpClient client() {
        return new OkHttpClient.Builder()
                .dns(hostname -> hostname.equals("localhost") || hostname.endsWith(".localhost")
                        ? List.of(InetAddress.getLoopbackAddress()) : Dns.SYSTEM.lookup(hostname))
                .readTimeout(60, TimeUnit.SECONDS)
                .retryOnConnectionFailure(false)
                .build();
    }
}
