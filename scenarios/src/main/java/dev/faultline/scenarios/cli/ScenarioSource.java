package dev.faultline.scenarios.cli;

import dev.faultline.scenarios.spec.Scenario;
import dev.faultline.scenarios.spec.ScenarioException;
import java.nio.file.Path;

/** Where commands get a scenario from a file ({@code ScenarioLoader::load}). */
@FunctionalInterface
interface ScenarioSource {
    Scenario load(Path file) throws ScenarioException;
}
