package dev.faultline.scenarios.run;

import dev.faultline.scenarios.spec.Scenario;
import dev.faultline.scenarios.spec.ScenarioException;
import dev.faultline.scenarios.spec.ScenarioLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Prints the trace fingerprint of each scenario file, one line each: {@code FILE FINGERPRINT EVENTS}.
 * Two JVMs that print the same lines ran the same simulations event for event; {@code ./cross-jdk-check}
 * and the cross-JDK test compare a second JDK with this one this way.
 *
 * <p>Usage: {@code java -cp faultline.jar dev.faultline.scenarios.run.Fingerprints [--max-events N] FILE...};
 * with {@code --max-events} each run stops after N events (its fingerprint covers those).
 */
public final class Fingerprints {
    private Fingerprints() {
    }

    /** One line for one file. */
    public static String line(Path file, long maxEvents) throws ScenarioException {
        Scenario s = ScenarioLoader.load(file);
        ScenarioResult r = ScenarioRunner.run(s, new ScenarioRunner.Options(List.of(), maxEvents));
        return String.format(Locale.ROOT, "%s %s %d", file, r.fingerprint(), r.events());
    }

    public static void main(String[] args) {
        long maxEvents = ScenarioRunner.Options.defaults().maxEvents();
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--max-events") && i + 1 < args.length) {
                maxEvents = Long.parseLong(args[++i]);
            } else {
                files.add(Path.of(args[i]));
            }
        }
        int code = 0;
        for (Path f : files) {
            try {
                System.out.println(line(f, maxEvents));
            } catch (ScenarioException e) {
                System.out.println(f + " invalid " + e.getMessage().lines().findFirst().orElse(""));
                code = 2;
            }
        }
        System.out.flush();
        System.exit(code);
    }
}
