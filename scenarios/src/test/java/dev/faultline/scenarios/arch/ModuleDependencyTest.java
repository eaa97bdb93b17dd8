package dev.faultline.scenarios.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Dependencies between modules point one way (docs/architecture.md#modules): sim-raft and
 * sim-zookeeper know sim-core only, reports knows sim-core's kernel and trace but no protocol, and
 * nothing reaches up into scenarios. (NoWallClockTest: simulation packages never read a wall clock,
 * start threads or draw unseeded randomness; only the CLI and the fuzz campaign may.)
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

    /**
     * Each mode module owns its mode (docs/architecture.md#the-mode-spi): the scenarios module
     * reaches KRaft and ZooKeeper mode only through the {@code MetadataMode} SPI, and names their
     * modules' code in one place, the registry {@code spec.Modes}. A setting, role, fault or planted
     * bug added to a mode therefore needs no change here. The {@code raft-elections} command is the
     * other exception: it runs sim-raft's bare-quorum election experiment, no metadata mode.
     */
    @Test
    void scenariosReachTheModesOnlyThroughTheRegistry() {
        noClasses().that().resideInAPackage("dev.faultline.scenarios..")
                .and().haveNameNotMatching("dev\\.faultline\\.scenarios\\.(spec\\.Modes|cli\\.RaftElectionsCommand)(\\$.*)?")
                .should().dependOnClassesThat().resideInAnyPackage("dev.faultline.raft..", "dev.faultline.zookeeper..")
                .because("a mode's settings, faults, roles, invariants and planted bugs belong to its module (MetadataMode)")
                .check(all);
    }

    /**
     * A HashMap or HashSet iterates in the order of its keys' hash codes: for records, enums and
     * objects those are JVM-specific or identity hashes, for strings a JDK's table layout. Simulation
     * code therefore builds sorted or insertion-ordered containers (TreeMap, LinkedHashMap, fastutil's
     * AVL and linked maps over primitive keys) instead. Three hash maps are only ever looked up,
     * never iterated, and stay: the kernel's node-name table (Simulation) and per-node timer-tag
     * tables (NodeSlot), its random streams (RandomStreams) and a ZooKeeper server's pending writes
     * by (session, xid) (ClientConnections).
     * CrossJdkDeterminismTest checks the whole library for what this rule cannot see (Set.of and
     * Map.of, whose order changes with every JVM, iterated anywhere).
     */
    @Test
    void simulationCodeBuildsNoHashOrderedJdkContainers() {
        com.tngtech.archunit.base.DescribedPredicate<com.tngtech.archunit.core.domain.JavaCall<?>> hashContainer =
                com.tngtech.archunit.core.domain.JavaCall.Predicates.target(com.tngtech.archunit.core.domain.properties.HasOwner.Predicates.With.owner(
                        com.tngtech.archunit.core.domain.JavaClass.Predicates.equivalentTo(java.util.HashMap.class)
                                .or(com.tngtech.archunit.core.domain.JavaClass.Predicates.equivalentTo(java.util.HashSet.class))));
        noClasses().that().resideInAnyPackage("dev.faultline.core..", "dev.faultline.raft..", "dev.faultline.zookeeper..",
                        "dev.faultline.scenarios.spec..", "dev.faultline.scenarios.run..")
                .and().haveNameNotMatching("dev\\.faultline\\.(core\\.kernel\\.(Simulation|NodeSlot|RandomStreams)|zookeeper\\.ensemble\\.ClientConnections)(\\$.*)?")
                .should().callConstructorWhere(hashContainer)
                .orShould().callMethod(java.util.stream.Collectors.class, "toSet")
                .orShould().callMethod(java.util.stream.Collectors.class, "toUnmodifiableSet")
                .orShould().callMethod(java.util.stream.Collectors.class, "groupingBy", java.util.function.Function.class)
                .orShould().callMethod(java.util.stream.Collectors.class, "toMap", java.util.function.Function.class, java.util.function.Function.class)
                .check(all);
    }
}
