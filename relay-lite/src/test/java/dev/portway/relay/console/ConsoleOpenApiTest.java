package dev.portway.relay.console;

import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;

/** docs/console-openapi.yaml is a valid OpenAPI 3 document and lists exactly the console's routes, with their access. */
class ConsoleOpenApiTest {
    static final Path FILE = Path.of("..", "docs", "console-openapi.yaml");

    static OpenAPI parse() {
        assertThat(FILE).exists();
        ParseOptions o = new ParseOptions();
        o.setResolve(true);
        SwaggerParseResult r = new OpenAPIV3Parser().readLocation(FILE.toAbsolutePath().toUri().toString(), null, o);
        assertThat(r.getMessages()).as("validation messages of %s", FILE).isEmpty();
        assertThat(r.getOpenAPI()).isNotNull();
        return r.getOpenAPI();
    }

    @Test
    void theOpenApiFileIsValid() throws Exception {
        OpenAPI api = parse();
        assertThat(api.getOpenapi()).startsWith("3.");
        assertThat(Files.readString(FILE)).doesNotContain("\t");
    }

    @Test
    void everyRouteIsDocumentedWithItsAccessAndNothingElseIs() {
        List<String> documented = new ArrayList<>();
        parse().getPaths().forEach((path, item) -> item.readOperationsMap().forEach((method, op) ->
                documented.add(method.name() + " " + path + " " + access(op))));
        assertThat(documented).containsExactlyInAnyOrderElementsOf(ConsoleServer.routeAccess());
    }

    private static String access(Operation op) {
        Object a = op.getExtensions() == null ? null : op.getExtensions().get("x-access");
        return a == null ? "MISSING" : a.toString().toUpperCase(Locale.ROOT);
    }
}
