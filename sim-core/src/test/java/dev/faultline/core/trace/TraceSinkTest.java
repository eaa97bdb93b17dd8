package dev.faultline.core.trace;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.core.determinism.RandomWorkload;
import dev.faultline.core.kernel.Message;
import dev.faultline.core.kernel.Node;
import dev.faultline.core.kernel.NodeId;
import dev.faultline.core.kernel.Simulation;
import dev.faultline.core.kernel.Time;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TraceSinkTest {
    record Ping(int n) implements Message {
    }

    private static Simulation pingPong(long seed) {
        Simulation sim = new Simulation(seed);
        NodeId[] ids = new NodeId[2];
        for (int i = 0; i < 2; i++) {
            int me = i;
            ids[i] = sim.addNode("node-" + i, ctx -> new Node() {
                @Override
                public void onStart() {
                    if (me == 0) {
                        ctx.send(ids[1], new Ping(0));
                    }
                }

                @Override
                public void onMessage(NodeId from, Message m) {
                    int n = ((Ping) m).n();
                    ctx.work(100 * Time.MICROSECOND);
                    ctx.trace("ping", "n=" + n);
                    if (n < 5) {
                        ctx.send(from, new Ping(n + 1));
                    }
                }
            });
        }
        return sim;
    }

    @Test
    void jsonLinesHaveAStableFieldOrderAndAppearOnlyWhenClosed(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("trace.jsonl");
        Simulation sim = pingPong(1);
        JsonLinesSink sink = new JsonLinesSink(file);
        sim.tracer().addSink(sink);
        sim.startAll();
        sim.runFor(Time.SECOND);
        assertThat(file).doesNotExist();
        sim.tracer().close();
        List<String> lines = Files.readAllLines(file);
        assertThat(lines).isNotEmpty();
        assertThat(lines).allMatch(l -> l.startsWith("{\"t\":") && l.contains(",\"i\":") && l.contains(",\"kind\":"));
        assertThat(lines).anyMatch(l -> l.contains("\"kind\":\"deliver\",\"from\":\"node-0\",\"to\":\"node-1\",\"type\":\"Ping\""));
        assertThat(lines).anyMatch(l -> l.contains("\"kind\":\"note\",\"node\":\"node-1\",\"category\":\"ping\",\"detail\":\"n=0\""));
        assertThat(lines).anyMatch(l -> l.contains("\"kind\":\"busy\""));
        // The same run traced twice gives the same bytes.
        Path again = dir.resolve("again.jsonl");
        Simulation sim2 = pingPong(1);
        sim2.tracer().addSink(new JsonLinesSink(again));
        sim2.startAll();
        sim2.runFor(Time.SECOND);
        sim2.tracer().close();
        assertThat(Files.readAllLines(again)).isEqualTo(lines);
    }

    record Batch(long[] ids, java.util.List<Integer> sizes) implements Message {
    }

    @Test
    void messagesWithArraysRenderTheirElementsNotIdentityHashes() {
        String text = TraceText.of(new Batch(new long[] {7, 8}, java.util.List.of(1, 2)));
        assertThat(text).isEqualTo("Batch[ids=[7, 8], sizes=[1, 2]]");
    }

    @Test
    void chromeTraceIsOneJsonDocumentWithThreadsPerNode(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("trace.json");
        Simulation sim = pingPong(1);
        sim.tracer().addSink(new ChromeTraceSink(file));
        sim.startAll();
        sim.runFor(Time.SECOND);
        sim.tracer().close();
        String json = Files.readString(file);
        assertThat(json).startsWith("{\"displayTimeUnit\":\"ms\",\"traceEvents\":[");
        assertThat(json.trim()).endsWith("]}");
        assertThat(json).contains("\"ph\":\"M\"", "\"name\":\"node-1\"", "\"ph\":\"X\"", "\"ph\":\"i\"");
        // Balanced braces and brackets outside strings: a cheap well-formedness check.
        int depth = 0;
        boolean inString = false;
        for (int i = 0; i < json.length(); i++) {
            char c = json.charAt(i);
            if (inString) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    inString = false;
                }
            } else if (c == '"') {
                inString = true;
            } else if (c == '{' || c == '[') {
                depth++;
            } else if (c == '}' || c == ']') {
                depth--;
                assertThat(depth).isGreaterThanOrEqualTo(0);
            }
        }
        assertThat(depth).isZero();
    }

    @Test
    void tracingDoesNotChangeTheFingerprint(@TempDir Path dir) throws Exception {
        Simulation plain = pingPong(9);
        plain.startAll();
        long a = plain.runFor(Time.SECOND).fingerprint();
        Simulation traced = pingPong(9);
        traced.tracer().addSink(new JsonLinesSink(dir.resolve("t.jsonl")));
        traced.startAll();
        long b = traced.runFor(Time.SECOND).fingerprint();
        traced.tracer().close();
        assertThat(b).isEqualTo(a);
        assertThat(RandomWorkload.run(3, 4, Time.SECOND).fingerprint()).isNotEqualTo(a);
    }

    @Test
    void anAbortedFileLeavesNothingBehind(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("trace.jsonl");
        JsonLinesSink sink = new JsonLinesSink(file);
        sink.accept(new TraceEvent.FaultInjected(1, 1, "crash"));
        sink.abort();
        try (var files = Files.list(dir)) {
            assertThat(files.toList()).isEmpty();
        }
    }

}
