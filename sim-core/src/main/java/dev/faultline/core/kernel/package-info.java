/**
 * The deterministic discrete-event kernel: {@link dev.faultline.core.kernel.Simulation}, one
 * single-threaded event loop over virtual nanoseconds ({@link dev.faultline.core.kernel.Time}) that
 * runs events in (time, sequence) order; nodes as actors ({@link dev.faultline.core.kernel.Node})
 * that act only through their {@link dev.faultline.core.kernel.NodeContext} (send, tagged timers,
 * their own drifting clock, their own random stream, storage, fsync, declared CPU work); the node
 * lifecycle (crash, power loss, restart, pause, wiped disk); and seeded random streams forked by
 * name ({@link dev.faultline.core.kernel.RandomStreams}, SplitMix64 written out, so every JVM draws
 * the same numbers). Inside, {@code Simulation} is the event loop and the world's API; a node's
 * runtime state is a {@code NodeSlot}, what the node sees of the kernel its {@code SlotContext};
 * the event kinds are small classes of their own ({@code DeliveryEvent}, {@code DepartureEvent},
 * {@code TimerEvent}, {@code WakeupEvent}, {@code ActionEvent}); the invariants and observers run
 * after each event by {@code AfterEventChecks}. Nothing here reads a wall clock, starts a thread
 * or knows about Kafka. See
 * docs/architecture.md, "Event loop and virtual clock" and "Determinism".
 */
package dev.faultline.core.kernel;
