package dev.faultline.scenarios.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaAccess;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import dev.faultline.scenarios.arch.fixture.WallClockFixtures;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Simulation code never reads a wall clock, starts a thread or an executor, or draws randomness that
 * is not the run's seeded stream (SimRandom): every package of sim-core, sim-raft and sim-zookeeper,
 * and the scenario model, runner and fuzz generator and shrinker. Exempt, because they sit above the
 * simulation and never feed it: the CLI (progress lines, wall limits, worker threads), the fuzz
 * campaign's worker pool and wall budget ({@code Campaign}), the reports module (renders finished
 * traces), and the benchmarks, which live in test sources. The rule is checked on fixtures too, so
 * that it cannot silently stop seeing one of the banned calls.
 */
class NoWallClockTest {
    /** The simulation: everything that runs inside a seeded run or decides what a run does. */
    static final DescribedPredicate<JavaClass> SIMULATION = JavaClass.Predicates.resideInAnyPackage("dev.faultline.core..",
            "dev.faultline.raft..", "dev.faultline.zookeeper..", "dev.faultline.scenarios.spec..", "dev.faultline.scenarios.run..",
            "dev.faultline.scenarios.fuzz..")
            .and(DescribedPredicate.not(JavaClass.Predicates.simpleName("Campaign")
                    .and(JavaClass.Predicates.resideInAPackage("dev.faultline.scenarios.fuzz"))));

    /** A call of any {@code now(...)} of java.time (Instant, LocalDate, LocalDateTime, LocalTime, ZonedDateTime, ...). */
    private static final DescribedPredicate<JavaAccess<?>> TIME_NOW = new DescribedPredicate<>("call java.time.*.now(..)") {
        @Override
        public boolean test(JavaAccess<?> access) {
            return access.getTarget().getName().equals("now") && access.getTargetOwner().getPackageName().equals("java.time");
        }
    };

    static ArchRule rule(DescribedPredicate<JavaClass> scope) {
        return noClasses().that(scope)
                .should().callMethod(System.class, "currentTimeMillis")
                .orShould().callMethod(System.class, "nanoTime")
                .orShould().accessTargetWhere(TIME_NOW)
                .orShould().dependOnClassesThat().areAssignableTo(java.time.Clock.class)
                .orShould().dependOnClassesThat().areAssignableTo(java.time.InstantSource.class)
                .orShould().dependOnClassesThat().areAssignableTo(Thread.class)
                .orShould().dependOnClassesThat().resideInAPackage("java.util.concurrent..")
                .orShould().dependOnClassesThat().areAssignableTo(java.util.Timer.class)
                .orShould().dependOnClassesThat().areAssignableTo(java.util.Random.class)
                .orShould().dependOnClassesThat().areAssignableTo(java.util.SplittableRandom.class)
                .orShould().callMethod(Math.class, "random")
                .orShould().callMethod(StrictMath.class, "random")
                .orShould().callMethod(java.util.UUID.class, "randomUUID")
                .orShould().callMethod(java.util.Collection.class, "parallelStream")
                .allowEmptyShould(true);
    }

    @Test
    void simulationPackagesReadNoWallClockStartNoThreadsAndDrawNoUnseededRandomness() {
        JavaClasses all = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.faultline");
        assertThat(all.that(SIMULATION).size()).as("simulation classes imported").isGreaterThan(300);
        rule(SIMULATION).check(all);
    }

    @Test
    void theRuleRejectsEachBannedCallAndAcceptsCleanCode() {
        JavaClasses fixtures = new ClassFileImporter().importPackagesOf(WallClockFixtures.class);
        List<Class<?>> banned = List.of(WallClockFixtures.Millis.class, WallClockFixtures.Nanos.class, WallClockFixtures.InstantNow.class,
                WallClockFixtures.LocalDateTimeNow.class, WallClockFixtures.LocalDateNow.class, WallClockFixtures.ClockUse.class,
                WallClockFixtures.NewThread.class, WallClockFixtures.ExecutorUse.class, WallClockFixtures.MathRandom.class,
                WallClockFixtures.UnseededRandom.class, WallClockFixtures.ThreadLocalRandomUse.class);
        for (Class<?> c : banned) {
            assertThat(rule(JavaClass.Predicates.equivalentTo(c)).evaluate(fixtures).hasViolation()).as(c.getSimpleName()).isTrue();
        }
        assertThat(rule(JavaClass.Predicates.equivalentTo(WallClockFixtures.Clean.class)).evaluate(fixtures).hasViolation()).isFalse();
    }
}
