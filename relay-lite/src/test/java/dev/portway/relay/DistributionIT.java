package dev.portway.relay;

import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The distribution archive as a person uses it: unpack, start the launcher with the example config, check health, stop. */
class DistributionIT {
    @TempDir
    static Path unpacked;
    static Path home;

    @BeforeAll
    static void unpack() throws Exception {
        Path archive;
        try (Stream<Path> s = Files.list(Path.of("target"))) {
            archive = s.filter(p -> p.getFileName().toString().matches("relay-lite-.+\\.tar\\.gz") && !p.getFileName().toString().contains("-linux-"))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("no target/relay-lite-*.tar.gz: the package phase builds it"));
        }
        assertThat(run(List.of("tar", "xzf", archive.toAbsolutePath().toString(), "-C", unpacked.toString()), Map.of()).code)
                .isZero();
        try (Stream<Path> s = Files.list(unpacked)) {
            home = s.findFirst().orElseThrow();
        }
        assertThat(home.getFileName().toString()).startsWith("relay-lite-");
    }

    record Result(int code, String output) {
    }

    static Result run(List<String> command, Map<String, String> env) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().keySet().removeIf(k -> k.startsWith("PORTWAY_") || k.equals("JAVA_HOME"));
        pb.environment().putAll(env);
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    @Test
    void archiveHoldsLauncherJarUnitDockerfileConfigAndReadme() throws Exception {
        assertThat(home.resolve("bin/relay-lite")).isRegularFile();
        assertThat(Files.getPosixFilePermissions(home.resolve("bin/relay-lite"))).contains(PosixFilePermission.OWNER_EXECUTE,
                PosixFilePermission.OTHERS_EXECUTE);
        assertThat(home.resolve("lib/relay-lite.jar")).isRegularFile();
        assertThat(home.resolve("etc/relay.properties")).isRegularFile();
        assertThat(home.resolve("systemd/portway-relay.service")).isRegularFile();
        assertThat(home.resolve("Dockerfile")).content().contains("FROM eclipse-temurin:25-jre", "USER portway", "HEALTHCHECK",
                "/api/tunnel/health");
        assertThat(home.resolve("README.md")).isRegularFile();
    }

    @Test
    void launcherStartsTheRelayWithTheExampleConfigAndStopsOnSigterm(@TempDir Path data) throws Exception {
        Path javaHome = Path.of(RelayProcess.java()).getParent().getParent();
        // flags over the example file: a free port on loopback, a temp data folder
        List<String> command = List.of(home.resolve("bin/relay-lite").toString(), "--config", home.resolve("etc/relay.properties").toString(),
                "--host", "127.0.0.1", "--port", "0", "--tcp-ports", "0-0", "--data-dir", data.toString());
        try (RelayProcess relay = new RelayProcess(command, Map.of("JAVA_HOME", javaHome.toString(), "PORTWAY_TOKEN", "t0ken"), data)) {
            int port = relay.port();
            OkHttpClient http = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(20)).build();
            try (Response r = http.newCall(new Request.Builder().url("http://127.0.0.1:" + port + "/api/tunnel/health").build()).execute()) {
                assertThat(r.code()).isEqualTo(200);
                assertThat(r.body().string()).contains("\"ready\":true", "\"store\":\"ok\"");
            }
            assertThat(relay.lines).anySatisfy(l -> assertThat(l).contains("relay-lite listening on http://*.tunnels.example.com:"));
            assertThat(relay.lines).as("the example config says text").noneSatisfy(l -> assertThat(l).startsWith("{"));
            assertThat(relay.lines).as("the token came from the environment").noneSatisfy(l -> assertThat(l).contains("generated"));
            assertThat(relay.process.pid()).as("the launcher execs java, so signals reach the JVM")
                    .satisfies(pid -> assertThat(ProcessHandle.of(pid).orElseThrow().info().command().orElse("")).endsWith("java"));
            assertThat(relay.stop()).isIn(0, 143);
            assertThat(relay.lines).anySatisfy(l -> assertThat(l).contains("relay-lite stopped"));
        }
        try (Stream<Path> s = Files.list(data)) {
            assertThat(s.toList()).as("the store lives in the data folder").isNotEmpty();
        }
    }

    @Test
    void launcherFindsAJava25InTheUsualPlacesWithoutJavaHome() throws Exception {
        Path jvms = Path.of(RelayProcess.java()).getParent().getParent().getParent();
        Result r = run(List.of(home.resolve("bin/relay-lite").toString(), "--version"),
                Map.of("RELAY_LITE_JVM_DIRS", jvms.toString(), "PATH", "/usr/bin:/bin"));
        assertThat(r.output).contains("relay-lite ");
        assertThat(r.code).isZero();
    }

    /** A copy of the unpacked relay with {@code runtime/} beside bin/ and lib/, as in relay-lite-<version>-linux-<arch>.tar.gz. */
    private static Path withRuntime(Path dir, String runtimeTarget) throws IOException {
        Path copy = Files.createDirectories(dir.resolve("relay"));
        Files.createDirectories(copy.resolve("bin"));
        Files.copy(home.resolve("bin/relay-lite"), copy.resolve("bin/relay-lite"));
        Files.createSymbolicLink(copy.resolve("lib"), home.resolve("lib"));
        Files.createSymbolicLink(copy.resolve("runtime"), Path.of(runtimeTarget));
        return copy;
    }

    private static Path toolsWithoutJava(Path dir) throws IOException {
        Path tools = Files.createDirectories(dir.resolve("tools"));
        for (String tool : List.of("dirname", "readlink", "sed", "sort", "ls", "uname")) {
            Path real = Stream.of("/usr/bin/", "/bin/").map(d -> Path.of(d + tool)).filter(Files::isExecutable).findFirst().orElseThrow();
            Files.createSymbolicLink(tools.resolve(tool), real);
        }
        return tools;
    }

    @Test
    void launcherUsesTheRuntimeShippedBesideItWhenTheServerHasNoJava(@TempDir Path dir) throws Exception {
        // runtime/ is this test's own Java 25 (what build-runtime-archive.sh links; jlink itself is tested by test-deb.sh)
        Path relay = withRuntime(dir, System.getProperty("java.home"));
        Result r = run(List.of(relay.resolve("bin/relay-lite").toString(), "--version"),
                Map.of("RELAY_LITE_JVM_DIRS", dir.resolve("none").toString(), "PATH", toolsWithoutJava(dir).toString()));
        assertThat(r.output).startsWith("relay-lite ");
        assertThat(r.code).isZero();
    }

    @Test
    void launcherSaysWhenItsRuntimeIsForAnotherArchitecture(@TempDir Path dir) throws Exception {
        Path foreign = Files.createDirectories(dir.resolve("riscv-runtime/bin"));
        Files.writeString(dir.resolve("riscv-runtime/release"), "JAVA_VERSION=\"25.0.3\"\nOS_ARCH=\"riscv64\"\n");
        Files.writeString(foreign.resolve("java"), "#!/bin/sh\necho 'Exec format error' >&2; exit 126\n").toFile().setExecutable(true);
        Path relay = withRuntime(dir, dir.resolve("riscv-runtime").toString());
        Result r = run(List.of(relay.resolve("bin/relay-lite").toString(), "--version"),
                Map.of("RELAY_LITE_JVM_DIRS", dir.resolve("none").toString(), "PATH", toolsWithoutJava(dir).toString()));
        assertThat(r.code).isEqualTo(1);
        assertThat(r.output).contains("/runtime is for riscv64 and this machine is " + System.getProperty("os.arch").replace("amd64", "x86_64"))
                .contains("use the relay-lite archive for").doesNotContain("Exec format error");
    }

    @Test
    void launcherSaysWhatToDoWhenNoJava25IsFound(@TempDir Path empty) throws Exception {
        // a JAVA_HOME whose java is too old (a fake one: a release file saying 17)
        Path old = Files.createDirectories(empty.resolve("jdk-17/bin"));
        Files.writeString(empty.resolve("jdk-17/release"), "JAVA_VERSION=\"17.0.12\"\n");
        Path java = Files.writeString(old.resolve("java"), "#!/bin/sh\nexit 0\n");
        java.toFile().setExecutable(true);
        // a PATH with the tools the launcher uses, and no java
        Path tools = Files.createDirectories(empty.resolve("tools"));
        for (String tool : List.of("dirname", "readlink", "sed", "sort", "ls")) {
            Path real = Stream.of("/usr/bin/", "/bin/").map(d -> Path.of(d + tool)).filter(Files::isExecutable).findFirst().orElseThrow();
            Files.createSymbolicLink(tools.resolve(tool), real);
        }
        Result r = run(List.of(home.resolve("bin/relay-lite").toString(), "--version"),
                Map.of("JAVA_HOME", empty.resolve("jdk-17").toString(), "RELAY_LITE_JVM_DIRS", empty.resolve("none").toString(),
                        "PATH", tools.toString()));
        assertThat(r.code).isEqualTo(1);
        assertThat(r.output).startsWith("relay-lite: needs Java 25 or newer and found none. Looked at:")
                .contains(empty.resolve("jdk-17/bin/java") + " (Java 17)")
                .contains("set JAVA_HOME to one");
    }

    @Test
    void systemdUnitPassesSystemdAnalyzeVerify(@TempDir Path dir) throws Exception {
        Path analyze = Path.of("/usr/bin/systemd-analyze");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(analyze), "systemd-analyze is not installed");
        // the unit expects the archive at /opt/portway-relay; point it at the unpacked copy so ExecStart exists
        String unit = Files.readString(home.resolve("systemd/portway-relay.service"))
                .replace("/opt/portway-relay/bin/relay-lite", home.resolve("bin/relay-lite").toString());
        assertThat(unit).contains("User=portway", "StateDirectory=portway-relay", "ProtectSystem=strict", "NoNewPrivileges=yes",
                "Restart=on-failure");
        Path copy = Files.writeString(dir.resolve("portway-relay.service"), unit);
        Result r = run(List.of(analyze.toString(), "verify", copy.toString()), Map.of("PATH", "/usr/bin:/bin"));
        assertThat(r.output).isEmpty();
        assertThat(r.code).isZero();
    }
}
