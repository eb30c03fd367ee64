package dev.portway.shared.profile;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class ProfileFileTest {
    private final ProfileFile file = new ProfileFile(Clock.fixed(Instant.parse("2026-11-22T03:40:12.345Z"), ZoneOffset.UTC));

    private static final List<ProfileEntry> TWO = List.of(
            new ProfileEntry("My app", ProfileEntry.Kind.HTTP, "localhost", 3000, ProfileEntry.Relay.EMBEDDED, "my-app",
                    Map.of(), false),
            new ProfileEntry("Staging DB", ProfileEntry.Kind.TCP, "127.0.0.1", 5432,
                    ProfileEntry.Relay.remote("wss://relay.example.com", "s3cret"), null, Map.of("port", "15432"), true));

    private static final String WITHOUT_SECRETS = """
            {
              "format": "portway-profiles",
              "version": 2,
              "exported_at": "2026-11-22T03:40:12Z",
              "profiles": [
                {
                  "name": "My app",
                  "kind": "http",
                  "local_host": "localhost",
                  "local_port": 3000,
                  "relay": {
                    "mode": "embedded"
                  },
                  "requested_name": "my-app",
                  "options": {},
                  "auto_connect": false
                },
                {
                  "name": "Staging DB",
                  "kind": "tcp",
                  "local_host": "127.0.0.1",
                  "local_port": 5432,
                  "relay": {
                    "mode": "remote",
                    "url": "wss://relay.example.com"
                  },
                  "options": {
                    "port": "15432"
                  },
                  "auto_connect": true
                }
              ]
            }
            """;

    private static List<ProfileEntry> read(String json) throws ProfileFileException, IOException {
        return ProfileFile.read(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)));
    }

    private static List<String> problems(String json) {
        return catchThrowableOfType(ProfileFileException.class, () -> read(json)).problems();
    }

    /** A valid file whose one profile is {@code fields} (JSON members without braces). */
    private static String oneProfile(String fields) {
        return "{\"format\":\"portway-profiles\",\"version\":1,\"profiles\":[{" + fields + "}]}";
    }

    @Test
    void writesTheGoldenFileWithoutTokens() throws Exception {
        assertThat(new String(file.write(TWO, false), StandardCharsets.UTF_8)).isEqualTo(WITHOUT_SECRETS);
    }

    @Test
    void aFolderProfileRoundTripsWithoutALocalServiceAndNeedsVersionTwo() throws Exception {
        ProfileEntry site = new ProfileEntry("Site", ProfileEntry.Kind.FOLDER, "localhost", 0, ProfileEntry.Relay.EMBEDDED,
                "site", Map.of("folder", "/home/ann/site", "folder_listing", "off", "folder_spa", "on"), false);
        String json = new String(file.write(List.of(site), false), StandardCharsets.UTF_8);
        assertThat(json).contains("\"version\": 2", "\"kind\": \"folder\"", "\"folder\": \"/home/ann/site\"")
                .doesNotContain("local_port").doesNotContain("local_host");
        assertThat(read(json)).containsExactly(site);

        // A version 1 reader never saw the kind; a file that claims version 1 with it was edited by hand.
        assertThat(problems(oneProfile("\"name\":\"Site\",\"kind\":\"folder\",\"options\":{\"folder\":\"/x\"}")))
                .containsExactly("Profile 1 (\"Site\"): kind \"folder\" needs a version 2 file — export it again from a newer Portway.");
        assertThat(problems(oneProfile("\"name\":\"Site\",\"kind\":\"folder\"").replace("\"version\":1", "\"version\":2")))
                .containsExactly("Profile 1 (\"Site\"): a folder profile needs options.folder, the folder to share.");
        // Version 1 files (every file written before folders) still load as they are.
        assertThat(read(WITHOUT_SECRETS.replace("\"version\": 2", "\"version\": 1"))).extracting(ProfileEntry::name, ProfileEntry::kind)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("My app", ProfileEntry.Kind.HTTP),
                        org.assertj.core.groups.Tuple.tuple("Staging DB", ProfileEntry.Kind.TCP));
    }

    @Test
    void writesTheTokenOnlyWhenAskedTo() throws Exception {
        String expected = WITHOUT_SECRETS.replace("\"url\": \"wss://relay.example.com\"\n",
                "\"url\": \"wss://relay.example.com\",\n        \"token\": \"s3cret\"\n");
        assertThat(new String(file.write(TWO, true), StandardCharsets.UTF_8)).isEqualTo(expected);
    }

    @Test
    void writesVisitorBasicAuthOnlyWithSecretsButTheOtherOptionsAlways() throws Exception {
        List<ProfileEntry> guarded = List.of(new ProfileEntry("Guarded", ProfileEntry.Kind.HTTP, "localhost", 3000,
                ProfileEntry.Relay.EMBEDDED, null, Map.of("basic_auth", "ann:hunter2", "ip_allow", "10.0.0.0/8",
                "host_header", "rewrite", "queue", "on", "queue_priority", "high"), false));

        String without = new String(file.write(guarded, false), StandardCharsets.UTF_8);
        assertThat(without).doesNotContain("basic_auth").doesNotContain("hunter2")
                .contains("\"ip_allow\": \"10.0.0.0/8\"").contains("\"host_header\": \"rewrite\"")
                .contains("\"queue_priority\": \"high\"");
        assertThat(new String(file.write(guarded, true), StandardCharsets.UTF_8)).contains("\"basic_auth\": \"ann:hunter2\"");
    }

    @Test
    void readsBackWhatItWrote() throws Exception {
        assertThat(ProfileFile.read(new ByteArrayInputStream(file.write(TWO, true)))).isEqualTo(TWO);
        assertThat(read(WITHOUT_SECRETS).get(1).relay()).isEqualTo(ProfileEntry.Relay.remote("wss://relay.example.com", null));
    }

    @Test
    void readsAFileSavedWithAByteOrderMark() throws Exception {
        assertThat(read("\uFEFF" + WITHOUT_SECRETS)).hasSize(2);
    }

    @Test
    void fillsDefaultsAndIgnoresUnknownFields() throws Exception {
        assertThat(read(oneProfile("\"name\":\"web\",\"kind\":\"http\",\"local_port\":8080,\"colour\":\"blue\"")))
                .containsExactly(new ProfileEntry("web", ProfileEntry.Kind.HTTP, "localhost", 8080, ProfileEntry.Relay.EMBEDDED,
                        null, Map.of(), false));
    }

    @Test
    void refusesTruncatedFiles() {
        String cut = WITHOUT_SECRETS.substring(0, WITHOUT_SECRETS.length() / 2);
        assertThat(problems(cut)).singleElement().asString()
                .startsWith("This is not a Portway profiles file: it is not valid JSON (line ")
                .endsWith("— it may be cut short or edited by hand; export it again.");
        assertThat(problems("")).singleElement().asString().startsWith("This is not a Portway profiles file");
    }

    @Test
    void refusesRepeatedKeysAndTrailingContent() {
        assertThat(problems(oneProfile("\"name\":\"a\",\"name\":\"b\",\"kind\":\"http\",\"local_port\":1")))
                .singleElement().asString().contains("(Duplicate field 'name')");
        assertThat(problems(WITHOUT_SECRETS + "{")).singleElement().asString()
                .startsWith("This is not a Portway profiles file: it is not valid JSON");
    }

    @Test
    void refusesAnotherFormat() {
        assertThat(problems("{\"format\":\"insomnia\",\"version\":1,\"profiles\":[]}")).containsExactly(
                "This is not a Portway profiles file: \"format\" is \"insomnia\", expected \"portway-profiles\".");
        assertThat(problems("[1, 2]")).containsExactly(
                "This is not a Portway profiles file: it must be a JSON object with \"format\": \"portway-profiles\".");
    }

    @Test
    void refusesANewerVersionAndSaysToUpdate() {
        assertThat(problems("{\"format\":\"portway-profiles\",\"version\":3,\"profiles\":[]}")).containsExactly(
                "The file is profiles format version 3; this Portway reads version 1, 2"
                        + " — it was written by a newer Portway; update Portway to import it.");
        assertThat(problems("{\"format\":\"portway-profiles\",\"version\":0,\"profiles\":[]}")).containsExactly(
                "The file is profiles format version 0; this Portway reads version 1, 2.");
        assertThat(problems("{\"format\":\"portway-profiles\",\"version\":\"1\",\"profiles\":[]}")).containsExactly(
                "The file has no valid \"version\" (a whole number) — export it again.");
    }

    @Test
    void namesTheProfileAndFieldOfEveryBadValue() {
        String json = "{\"format\":\"portway-profiles\",\"version\":1,\"profiles\":["
                + "{\"name\":\"web\",\"kind\":\"http\",\"local_port\":3000},"
                + "{\"name\":\"db\",\"kind\":\"udp\",\"local_port\":70000,\"requested_name\":\"-db-\","
                + "\"relay\":{\"mode\":\"remote\",\"url\":\"ftp://relay.example.com\"}},"
                + "{\"kind\":\"tcp\",\"local_port\":\"22\",\"local_host\":\"my host\",\"auto_connect\":\"yes\","
                + "\"options\":{\"port\":15432}}]}";
        assertThat(problems(json)).containsExactly(
                "Profile 2 (\"db\"): kind \"udp\" is not a tunnel kind — use \"http\", \"tcp\" or \"folder\".",
                "Profile 2 (\"db\"): local_port 70000 is out of range — use 1..65535.",
                "Profile 2 (\"db\"): relay.url \"ftp://relay.example.com\" is not a relay address — write it as wss://host"
                        + " or ws://host:port (http and https also work).",
                "Profile 2 (\"db\"): requested_name \"-db-\" is not a valid tunnel name — use 1-63 letters, digits and '-',"
                        + " not starting or ending with '-'.",
                "Profile 3: name is missing.",
                "Profile 3: local_host \"my host\" is not a host name or address — use e.g. localhost or 127.0.0.1.",
                "Profile 3: local_port \"22\" is not a whole number — use 1..65535.",
                "Profile 3: options.port must be text, not 15432.",
                "Profile 3: auto_connect must be true or false, not \"yes\".");
    }

    @Test
    void remoteRelayNeedsAUrl() {
        assertThat(problems(oneProfile("\"name\":\"x\",\"kind\":\"tcp\",\"local_port\":22,\"relay\":{\"mode\":\"remote\"}")))
                .containsExactly("Profile 1 (\"x\"): relay.url is missing — a remote relay needs its address,"
                        + " e.g. wss://relay.example.com.");
        assertThat(problems(oneProfile("\"name\":\"x\",\"kind\":\"tcp\",\"local_port\":22,\"relay\":{\"mode\":\"cloud\"}")))
                .containsExactly("Profile 1 (\"x\"): relay.mode \"cloud\" is unknown — use \"embedded\" or \"remote\".");
    }

    @Test
    void refusesDuplicateNamesIgnoringCase() {
        String json = "{\"format\":\"portway-profiles\",\"version\":1,\"profiles\":["
                + "{\"name\":\"db\",\"kind\":\"tcp\",\"local_port\":5432},"
                + "{\"name\":\"DB\",\"kind\":\"tcp\",\"local_port\":5433}]}";
        assertThat(problems(json)).containsExactly(
                "Profile 2 (\"DB\"): name \"DB\" is already used by profile 1 — names in one file must be unique.");
    }

    @Test
    void refusesAHugeFileWithoutReadingItAll() {
        long[] served = {0};
        InputStream endless = new InputStream() {
            @Override
            public int read() {
                served[0]++;
                return ' ';
            }
        };
        ProfileFileException e = catchThrowableOfType(ProfileFileException.class, () -> ProfileFile.read(endless));
        assertThat(e.problems()).singleElement().asString().startsWith("The file is larger than 1 MiB");
        assertThat(served[0]).isEqualTo(ProfileFile.MAX_BYTES + 1);
    }

    @Test
    void refusesMoreThanAThousandProfiles() {
        StringBuilder json = new StringBuilder("{\"format\":\"portway-profiles\",\"version\":1,\"profiles\":[");
        for (int i = 0; i <= ProfileFile.MAX_PROFILES; i++) {
            json.append(i == 0 ? "" : ",").append("{\"name\":\"p").append(i).append("\",\"kind\":\"http\",\"local_port\":3000}");
        }
        assertThat(problems(json.append("]}").toString())).containsExactly(
                "The file holds 1001 profiles; Portway imports at most 1000 at a time — split it into smaller files.");
    }

    private static List<ProfileEntry> named(int count, Map<String, String> options) {
        List<ProfileEntry> many = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            many.add(new ProfileEntry("p" + i, ProfileEntry.Kind.HTTP, "localhost", 3000, ProfileEntry.Relay.EMBEDDED, null,
                    options, false));
        }
        return many;
    }

    @Test
    void exportOfMoreProfilesThanImportTakesIsRefusedSoEveryWrittenFileImports() throws Exception {
        ProfileFileException e = catchThrowableOfType(ProfileFileException.class,
                () -> file.write(named(ProfileFile.MAX_PROFILES + 1, Map.of()), false));
        assertThat(e.problems()).containsExactly("Cannot export 1001 profiles: a profiles file holds at most 1000 so that"
                + " any Portway can import it — delete the profiles you no longer need, then export again.");
        assertThat(ProfileFile.read(new ByteArrayInputStream(file.write(named(ProfileFile.MAX_PROFILES, Map.of()), false))))
                .hasSize(ProfileFile.MAX_PROFILES);
    }

    @Test
    void exportLargerThanImportReadsIsRefused() {
        Map<String, String> big = Map.of("a", "v".repeat(ProfileFile.MAX_OPTION_VALUE), "b", "v".repeat(ProfileFile.MAX_OPTION_VALUE));
        ProfileFileException e = catchThrowableOfType(ProfileFileException.class, () -> file.write(named(600, big), true));
        assertThat(e.problems()).singleElement().asString()
                .startsWith("Cannot export: the file would be 1.3 MiB and Portway imports files of at most 1 MiB")
                .endsWith("— delete the profiles you no longer need or shorten their options, then export again.");
    }

    @Test
    void exportOfAProfileThatImportWouldRefuseIsRefused() {
        List<ProfileEntry> bad = List.of(new ProfileEntry("a/b", ProfileEntry.Kind.HTTP, "localhost", 3000,
                ProfileEntry.Relay.EMBEDDED, null, Map.of(), false));
        ProfileFileException e = catchThrowableOfType(ProfileFileException.class, () -> file.write(bad, false));
        assertThat(e.problems()).containsExactly("Cannot export: Profile 1 (\"a/b\"): name contains \"/\" — rename it:"
                + " names cannot hold /, \\, control characters or text-direction controls.");
    }

    @Test
    void refusesNamesWithPathSeparatorsControlCharactersAndTextDirectionControls() {
        String[] names = {"a/b", "a\\\\b", "evil\\u001b[2J", "bell\\u0007", "nul\\u0000", "two\\nlines", "del\\u007f",
                "csi\\u009b", "\\u202etxt.exe"};
        StringBuilder json = new StringBuilder("{\"format\":\"portway-profiles\",\"version\":1,\"profiles\":[");
        for (int i = 0; i < names.length; i++) {
            json.append(i == 0 ? "" : ",").append("{\"name\":\"").append(names[i]).append("\",\"kind\":\"http\",\"local_port\":1}");
        }
        String rule = " — rename it: names cannot hold /, \\, control characters or text-direction controls.";
        assertThat(problems(json.append("]}").toString())).containsExactly(
                "Profile 1 (\"a/b\"): name contains \"/\"" + rule,
                "Profile 2 (\"a\\b\"): name contains \"\\\"" + rule,
                "Profile 3 (\"evil\\e[2J\"): name contains a control character (\\e)" + rule,
                "Profile 4 (\"bell\\u0007\"): name contains a control character (\\u0007)" + rule,
                "Profile 5 (\"nul\\u0000\"): name contains a control character (\\u0000)" + rule,
                "Profile 6 (\"two\\nlines\"): name contains a control character (\\n)" + rule,
                "Profile 7 (\"del\\u007f\"): name contains a control character (\\u007f)" + rule,
                "Profile 8 (\"csi\\u009b\"): name contains a control character (\\u009b)" + rule,
                "Profile 9 (\"\\u202etxt.exe\"): name contains a text-direction control (\\u202e)" + rule);
    }

    @Test
    void escapesControlCharactersOfEveryValueItEchoes() {
        assertThat(problems(oneProfile("\"name\":\"x\",\"kind\":\"http\",\"local_port\":1,\"local_host\":\"evil\\u001b[31m\"")))
                .containsExactly("Profile 1 (\"x\"): local_host \"evil\\e[31m\" is not a host name or address"
                        + " — use e.g. localhost or 127.0.0.1.");
        assertThat(problems(oneProfile("\"name\":\"x\",\"kind\":\"http\",\"local_port\":1,"
                + "\"relay\":{\"mode\":\"remote\",\"url\":\"wss://r\\u0007x.example\"}")))
                .singleElement().asString().startsWith("Profile 1 (\"x\"): relay.url \"wss://r\\u0007x.example\" is not a relay address");
        assertThat(problems(oneProfile("\"name\":\"x\",\"kind\":\"http\",\"local_port\":1,"
                + "\"relay\":{\"mode\":\"remote\",\"url\":\"wss://r.example\\u001b\"}")))
                .as("not trimmed away: a URL is stored as the file has it").singleElement().asString()
                .startsWith("Profile 1 (\"x\"): relay.url \"wss://r.example\\e\" is not a relay address");
    }
}
