package dev.faultline.core.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * sim-core depends on no other Faultline module, and no simulation code reads a wall clock,
 * starts a thread or draws unseeded randomness. (Trace sinks write files; that is not simulation.)
 */
class ArchitectureTest {
    private static JavaClasses core;

    @BeforeAll
    static void importClasses() {
        core = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("dev.faultline.core");
    }

    @Test
    void simCoreDependsOnNoOtherModule() {
        noClasses().should().dependOnClassesThat().resideInAnyPackage(
                "dev.faultline.raft..", "dev.faultline.zookeeper..", "dev.faultline.reports..", "dev.faultline.scenarios..")
                .check(core);
    }

    @Test
    void noWallClock() {
        noClasses().should().callMethod(System.class, "currentTimeMillis")
                .orShould().callMethod(System.class, "nanoTime")
                .orShould().callMethod(java.time.Instant.class, "now")
                .orShould().callMethod(java.time.LocalDateTime.class, "now")
                .orShould().callMethod(java.time.Clock.class, "systemUTC")
                .orShould().callMethod(java.time.Clock.class, "systemDefaultZone")
                .check(core);
    }

    @Test
    void noThreads() {
        noClasses().should().dependOnClassesThat().areAssignableTo(Thread.class)
                .orShould().dependOnClassesThat().resideInAPackage("java.util.concurrent..")
                .check(core);
    }

    @Test
    void noUnseededRandomness() {
        noClasses().should().dependOnClassesThat().areAssignableTo(java.util.Random.class)
                .orShould().callMethod(Math.class, "random")
                .orShould().callMethod(java.util.UUID.class, "randomUUID")
                .orShould().dependOnClassesThat().areAssignableTo(java.util.SplittableRandom.class)
                .check(core);
    }

    @Test
    void noParallelStreams() {
        noClasses().should().callMethod(java.util.Collection.class, "parallelStream")
                .check(core);
    }
}
