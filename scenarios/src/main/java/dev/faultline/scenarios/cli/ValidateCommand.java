package dev.faultline.scenarios.cli;

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

/**
 * {@code faultline validate FILE...}: checks scenarios without running them. Every file gets its
 * own verdict ({@code FILE: ok}, or its problems as {@code file:line:column: message}); a file that
 * cannot be checked at all (an internal error) does not stop the others. Exit code: the worst verdict.
 */
@Command(name = "validate", mixinStandardHelpOptions = true, description = "Check scenario files and report every problem with file:line:column.")
final class ValidateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "scenario YAML files")
    List<Path> files;

    /** Reads one file; tests replace it to prove that one file's internal error does not stop the others. */
    ScenarioSource loader = ScenarioLoader::load;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Verdicts verdicts = new Verdicts();
        for (Path f : files) {
            try {
                loader.load(f);
                out.println(f + ": ok");
                out.flush();
                verdicts.add(Main.OK);
            } catch (ScenarioException e) {
                Verdicts.printProblems(err, e);
                verdicts.add(Main.BAD_INPUT);
            } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
                Verdicts.printInternalError(err, f.toString(), e);
                verdicts.add(Main.INTERNAL);
            }
        }
        if (files.size() > 1) {
            out.println(verdicts.summary("ok", "failed"));
        }
        return verdicts.exitCode();
    }
}
