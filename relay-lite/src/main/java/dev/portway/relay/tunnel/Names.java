package dev.portway.relay.tunnel;

import dev.portway.shared.protocol.TunnelNames;

import java.security.SecureRandom;
import java.util.List;

/** Tunnel names: DNS labels, compared lower-case (PROTOCOL.md §4). Stateless and thread-safe. */
public final class Names {
    private static final List<String> ADJECTIVES = List.of("brave", "calm", "clever", "eager", "fancy", "gentle",
            "happy", "jolly", "kind", "lively", "mellow", "nimble", "proud", "quick", "quiet", "swift", "sunny", "witty");
    private static final List<String> ANIMALS = List.of("otter", "badger", "falcon", "heron", "koala", "lynx",
            "marten", "panda", "puffin", "raven", "seal", "tiger", "walrus", "wombat", "yak", "zebra", "fox", "owl");
    private static final String ALPHANUM = "abcdefghijklmnopqrstuvwxyz0123456789";
    private static final SecureRandom RANDOM = new SecureRandom();

    private Names() {
    }

    /** @return the name lower-cased, or {@code null} when it is not a DNS label */
    public static String normalize(String name) {
        return TunnelNames.normalize(name);
    }

    /** A fresh name like {@code brave-otter-4821}. */
    public static String generate() {
        return ADJECTIVES.get(RANDOM.nextInt(ADJECTIVES.size())) + "-" + ANIMALS.get(RANDOM.nextInt(ANIMALS.size()))
                + "-" + (1000 + RANDOM.nextInt(9000));
    }

    /** A variant of a taken name, {@code myapp-7k2q}; always a valid label. */
    public static String variant(String base) {
        String stem = base.length() > 58 ? base.substring(0, 58) : base;
        while (stem.endsWith("-")) {
            stem = stem.substring(0, stem.length() - 1);
        }
        StringBuilder sb = new StringBuilder(stem).append('-');
        for (int i = 0; i < 4; i++) {
            sb.append(ALPHANUM.charAt(RANDOM.nextInt(ALPHANUM.length())));
        }
        return sb.toString();
    }
}
