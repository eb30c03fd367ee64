package dev.portway.relay.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** ConfigSources against a command of its own: nothing here knows the relay's options, as nothing in ConfigSources does. */
class ConfigSourcesTest {
    enum Mode { FAST, SAFE }

    @Command(name = "tool", mixinStandardHelpOptions = true, subcommands = Sub.class)
    static final class Tool {
        @Option(names = "--config", scope = CommandLine.ScopeType.INHERIT)
        Path config;
        @Option(names = "--port", defaultValue = "8080")
        int port;
        @Option(names = {"-n", "--max-items"}, defaultValue = "5")
        int maxItems;
        @Option(names = "--data-dir", scope = CommandLine.ScopeType.INHERIT)
        Path dataDir;
        @Option(names = "--mode", defaultValue = "SAFE", description = "FAST or SAFE.")
        Mode mode;
        @Option(names = "--tls", description = "Serve HTTPS.")
        boolean tls;
    }

    @Command(name = "sub")
    static final class Sub implements Runnable {
        @Option(names = "--tier", defaultValue = "free")
        String tier;

        @Override
        public void run() {
        }
    }

    @TempDir
    Path dir;
    final List<String> warnings = new ArrayList<>();

    Path file(String text) throws Exception {
        return Files.writeString(dir.resolve("tool.properties"), text);
    }

    /** Parses {@code args} with file and environment as defaults; the command object with the result. */
    Tool parse(Map<String, String> env, String... args) throws ConfigException {
        Tool tool = new Tool();
        CommandLine cmd = new CommandLine(tool);
        cmd.setDefaultValueProvider(ConfigSources.load(cmd.getCommandSpec(), () -> new CommandLine(new Tool()), List.of(args), env,
                null, warnings::add));
        cmd.parseArgs(args);
        return tool;
    }

    @Test
    void flagsBeatEnvironmentWhichBeatsTheFileWhichBeatsDefaults() throws Exception {
        Path f = file("port = 1000\nmax-items = 7\nmode = FAST\n");
        Map<String, String> env = Map.of("PORTWAY_PORT", "2000", "PORTWAY_MAX_ITEMS", "9");
        Tool t = parse(env, "--config", f.toString(), "--port", "3000");
        assertThat(t.port).as("flag").isEqualTo(3000);
        assertThat(t.maxItems).as("env over file").isEqualTo(9);
        assertThat(t.mode).as("file over default").isEqualTo(Mode.FAST);
        assertThat(t.tls).as("default").isFalse();

        t = parse(env, "--config=" + f);
        assertThat(t.port).as("env over file").isEqualTo(2000);
        t = parse(Map.of(), "--config", f.toString());
        assertThat(t.port).as("file over default").isEqualTo(1000);
        assertThat(parse(Map.of()).port).as("default").isEqualTo(8080);
    }

    @Test
    void configFileMayComeFromTheEnvironmentOrTheDefaultPath() throws Exception {
        Path f = file("port = 1000\n");
        assertThat(parse(Map.of("PORTWAY_CONFIG", f.toString())).port).isEqualTo(1000);
        assertThat(ConfigSources.configPath(List.of(), Map.of(), f)).isEqualTo(f);
        assertThat(ConfigSources.configPath(List.of(), Map.of(), dir.resolve("absent"))).isNull();
        assertThat(ConfigSources.configPath(List.of("--", "--config", "x"), Map.of(), null)).as("after --").isNull();
        assertThatThrownBy(() -> ConfigSources.configPath(List.of("--config"), Map.of(), null))
                .hasMessageContaining("--config needs the path of a config file");
    }

    @Test
    void switchesAndSubcommandsWithInheritedOptionsAreCovered() throws Exception {
        Path f = file("tls = true\ndata-dir = /srv/data\n");
        assertThat(parse(Map.of(), "--config", f.toString()).tls).isTrue();
        assertThat(parse(Map.of("PORTWAY_TLS", "false"), "--config", f.toString()).tls).isFalse();

        Tool tool = new Tool();
        CommandLine cmd = new CommandLine(tool);
        String[] args = {"sub", "--config", f.toString()};
        cmd.setDefaultValueProvider(ConfigSources.load(cmd.getCommandSpec(), () -> new CommandLine(new Tool()), List.of(args),
                Map.of("PORTWAY_TIER", "premium"), null, warnings::add));
        CommandLine.ParseResult r = cmd.parseArgs(args);
        CommandLine.Model.CommandSpec sub = r.subcommand().commandSpec();
        assertThat((Path) sub.findOption("--data-dir").getValue()).isEqualTo(Path.of("/srv/data"));
        assertThat(((Sub) sub.userObject()).tier).as("a subcommand's own option is not a config key").isEqualTo("free");
        assertThat(warnings).containsExactly("ignoring environment variable PORTWAY_TIER: there is no option --tier.");
    }

    @Test
    void unknownKeyNamesFileLineNearestKeyAndAllowedKeys() throws Exception {
        Path f = file("port = 1\n# c\nmax-itmes = 3\n");
        assertThatThrownBy(() -> parse(Map.of(), "--config", f.toString()))
                .isInstanceOf(ConfigException.class)
                .hasMessage(f + " line 3: unknown key \"max-itmes\" — did you mean \"max-items\"? Allowed keys: port, max-items, "
                        + "data-dir, mode, tls.");
        Path g = file("colour = blue\n");
        assertThatThrownBy(() -> parse(Map.of(), "--config", g.toString()))
                .hasMessageStartingWith(g + " line 1: unknown key \"colour\". Allowed keys:");
        Path h = file("help = true\n");
        assertThatThrownBy(() -> parse(Map.of(), "--config", h.toString())).as("help is not a setting")
                .hasMessageContaining("unknown key \"help\"");
    }

    @Test
    void badValueInTheFileNamesFileLineAndWhatIsAllowed() throws Exception {
        Path f = file("\nport = eighty\n");
        assertThatThrownBy(() -> parse(Map.of(), "--config", f.toString()))
                .hasMessageStartingWith(f + " line 2: port = eighty is refused: ")
                .hasMessageContaining("'eighty' is not an int");
        Path g = file("mode = slow\n");
        assertThatThrownBy(() -> parse(Map.of(), "--config", g.toString()))
                .hasMessageStartingWith(g + " line 1: mode = slow is refused: ")
                .hasMessageContaining("FAST, SAFE")
                .hasMessageEndingWith("(mode: FAST or SAFE.)");
        Path h = file("tls = yes\n");
        assertThatThrownBy(() -> parse(Map.of(), "--config", h.toString()))
                .hasMessage(h + " line 1: tls is a switch — write true or false, not \"yes\".");
    }

    @Test
    void badValueInTheEnvironmentNamesTheVariable() {
        assertThatThrownBy(() -> parse(Map.of("PORTWAY_MAX_ITEMS", "lots")))
                .hasMessageStartingWith("environment variable PORTWAY_MAX_ITEMS: max-items = lots is refused:");
    }

    @Test
    void unknownEnvironmentVariableOnlyWarnsWithTheNearestName() throws Exception {
        assertThat(parse(Map.of("PORTWAY_PROT", "1", "PORTWAY_CONFIG_X", "", "HOME", "/root")).port).isEqualTo(8080);
        assertThat(warnings).contains("ignoring environment variable PORTWAY_PROT: there is no option --prot — did you mean PORTWAY_PORT?");
    }

    @Test
    void originTellsWhereAValueCameFrom() throws Exception {
        Path f = file("port = 1\n\nmode = FAST\n");
        Tool tool = new Tool();
        CommandLine cmd = new CommandLine(tool);
        ConfigSources sources = ConfigSources.load(cmd.getCommandSpec(), () -> new CommandLine(new Tool()),
                List.of("--config", f.toString()), Map.of("PORTWAY_PORT", "2"), null, warnings::add);
        assertThat(sources.origin("--port")).isEqualTo("environment variable PORTWAY_PORT");
        assertThat(sources.origin("--mode")).isEqualTo(f + " line 3");
        assertThat(sources.origin("--tls")).isNull();
        assertThat(sources.file()).isEqualTo(f);
    }
}
