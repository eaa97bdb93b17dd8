package dev.faultline.scenarios.cli;

import dev.faultline.scenarios.spec.Problem;
import dev.faultline.scenarios.spec.ScenarioException;
import dev.faultline.scenarios.spec.ScenarioLoader;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code faultline validate FILE...}: checks scenarios without running them. */
@Command(name = "validate", mixinStandardHelpOptions = true, description = "Check scenario files and report every problem with file:line:column.")
final class ValidateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "scenario YAML files")
    List<Path> files;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        int bad = 0;
        for (Path f : files) {
            try {
                ScenarioLoader.load(f);
                out.println(f + ": ok");
            } catch (ScenarioException e) {
                bad++;
                for (Problem p : e.problems()) {
                    err.println(p);
                }
            }
        }
        return bad == 0 ? Main.OK : Main.BAD_INPUT;
    }
}
