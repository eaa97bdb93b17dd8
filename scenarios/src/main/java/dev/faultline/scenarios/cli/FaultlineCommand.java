package dev.faultline.scenarios.cli;

import picocli.CommandLine.Command;

/** The top-level command: subcommands only. */
@Command(name = "faultline", mixinStandardHelpOptions = true, version = "faultline 0.1.0",
        description = "A deterministic discrete-event simulator of Apache Kafka clusters.",
        subcommands = {RunCommand.class, CompareCommand.class, MergeCommand.class, FuzzCommand.class, RaftElectionsCommand.class, ValidateCommand.class,
                InvariantsCommand.class})
final class FaultlineCommand implements Runnable {
    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }
}
