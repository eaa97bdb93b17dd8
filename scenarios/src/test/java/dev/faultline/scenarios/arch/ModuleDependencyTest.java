package dev.faultline.scenarios.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Dependencies between modules point one way (design.md §1): sim-raft and sim-zookeeper know
 * sim-core only, reports knows sim-core's kernel and trace but no protocol, and nothing reaches up
 * into scenarios. Simulation packages never read a wall clock, start threads or draw unseeded
 * randomness; only the CLI and the fuzz campaign (above the simulation) may.
 */
class ModuleDependencyTest {
    private static JavaClasses all;

    @BeforeAll
    static void importAll() {
        all = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("dev.faultline");
    }

    @Test
    void raftKnowsNeitherZookeeperNorReportsNorScenarios() {
        noClasses().that().resideInAPackage("dev.faultline.raft..").should().dependOnClassesThat()
                .resideInAnyPackage("dev.faultline.zookeeper..", "dev.faultline.reports..", "dev.faultline.scenarios..")
                .allowEmptyShould(true).check(all);
    }

    @Test
    void zookeeperKnowsNeitherRaftNorReportsNorScenarios() {
        noClasses().that().resideInAPackage("dev.faultline.zookeeper..").should().dependOnClassesThat()
                .resideInAnyPackage("dev.faultline.raft..", "dev.faultline.reports..", "dev.faultline.scenarios..")
                .allowEmptyShould(true).check(all);
    }

    @Test
    void reportsKnowNoProtocol() {
        noClasses().that().resideInAPackage("dev.faultline.reports..").should().dependOnClassesThat()
                .resideInAnyPackage("dev.faultline.raft..", "dev.faultline.zookeeper..", "dev.faultline.scenarios..",
                        "dev.faultline.core.kafka..", "dev.faultline.core.control..")
                .check(all);
    }

    @Test
    void coreReachesNoOtherModule() {
        noClasses().that().resideInAPackage("dev.faultline.core..").should().dependOnClassesThat()
                .resideInAnyPackage("dev.faultline.raft..", "dev.faultline.zookeeper..", "dev.faultline.reports..", "dev.faultline.scenarios..")
                .check(all);
    }

    @Test
    void simulationCodeReadsNoWallClockAndStartsNoThreads() {
        noClasses().that().resideInAnyPackage("dev.faultline.core..", "dev.faultline.raft..", "dev.faultline.zookeeper..",
                        "dev.faultline.scenarios.spec..", "dev.faultline.scenarios.run..")
                .should().callMethod(System.class, "currentTimeMillis")
                .orShould().callMethod(java.time.Instant.class, "now")
                .orShould().dependOnClassesThat().areAssignableTo(Thread.class)
                .orShould().dependOnClassesThat().areAssignableTo(java.util.Random.class)
                .orShould().callMethod(Math.class, "random")
                .orShould().callMethod(java.util.UUID.class, "randomUUID")
                .orShould().callMethod(java.util.Collection.class, "parallelStream")
                .check(all);
    }
}
