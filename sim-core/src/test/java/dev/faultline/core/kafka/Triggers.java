package dev.faultline.core.kafka;

import dev.faultline.core.check.CheckContext;
import dev.faultline.core.check.Invariant;
import dev.faultline.core.kernel.Simulation;
import java.util.function.BooleanSupplier;

/** One-shot world actions fired when a condition first holds (checked after every event). */
final class Triggers {
    private Triggers() {
    }

    static void when(Simulation sim, String name, BooleanSupplier condition, Runnable action) {
        sim.addInvariant(new Invariant() {
            private boolean fired;

            @Override
            public String name() {
                return "trigger:" + name;
            }

            @Override
            public void check(CheckContext context) {
                if (!fired && condition.getAsBoolean()) {
                    fired = true;
                    sim.traceFault("trigger " + name);
                    sim.schedule(sim.now(), action);
                }
            }
        });
    }
}
