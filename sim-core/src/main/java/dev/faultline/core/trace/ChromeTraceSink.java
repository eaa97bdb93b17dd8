package dev.faultline.core.trace;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes the Chrome trace-event JSON format, which Perfetto (ui.perfetto.dev) and
 * chrome://tracing open. Each node is a thread of one process; handler work is a complete
 * ({@code X}) slice; deliveries, timers, faults and notes are instant events with their fields as
 * arguments. Timestamps are virtual microseconds.
 */
public final class ChromeTraceSink implements TraceSink {
    private final AtomicFileWriter file;
    private final Map<String, Integer> threads = new LinkedHashMap<>();
    private final StringBuilder buf = new StringBuilder(256);
    private boolean first = true;

    public ChromeTraceSink(Path path) throws IOException {
        this.file = new AtomicFileWriter(path);
        write("{\"displayTimeUnit\":\"ms\",\"traceEvents\":[\n");
        threads.put("simulation", 0);
        metadata("simulation", 0);
    }

    @Override
    public void accept(TraceEvent e) {
        String node;
        String name;
        if (e instanceof TraceEvent.Delivered d) {
            node = d.to();
            name = d.type();
        } else if (e instanceof TraceEvent.Dropped d) {
            node = d.to();
            name = "drop " + d.type();
        } else if (e instanceof TraceEvent.TimerFired t) {
            node = t.node();
            name = "timer " + t.tag();
        } else if (e instanceof TraceEvent.Lifecycle l) {
            node = l.node();
            name = l.change();
        } else if (e instanceof TraceEvent.Note n) {
            node = n.node();
            name = n.category();
        } else if (e instanceof TraceEvent.Busy b) {
            node = b.node();
            name = "work";
        } else if (e instanceof TraceEvent.FaultInjected) {
            node = "simulation";
            name = "fault";
        } else {
            throw new IllegalStateException("unknown trace event " + e);
        }
        int tid = thread(node);
        buf.setLength(0);
        buf.append(first ? "" : ",\n");
        first = false;
        buf.append("{\"name\":");
        Json.string(buf, name);
        if (e instanceof TraceEvent.Busy b) {
            buf.append(",\"ph\":\"X\",\"ts\":").append(micros(b.time())).append(",\"dur\":").append(micros(b.durationNanos()));
        } else {
            buf.append(",\"ph\":\"i\",\"s\":\"t\",\"ts\":").append(micros(e.time()));
        }
        buf.append(",\"pid\":1,\"tid\":").append(tid).append(",\"args\":");
        e.writeJson(buf);
        buf.append('}');
        write(buf);
    }

    private int thread(String node) {
        Integer tid = threads.get(node);
        if (tid == null) {
            tid = threads.size();
            threads.put(node, tid);
            metadata(node, tid);
        }
        return tid;
    }

    private void metadata(String node, int tid) {
        StringBuilder m = new StringBuilder();
        m.append(first ? "" : ",\n");
        first = false;
        m.append("{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":1,\"tid\":").append(tid).append(",\"args\":{\"name\":");
        Json.string(m, node).append("}}");
        write(m);
    }

    private static String micros(long nanos) {
        return java.math.BigDecimal.valueOf(nanos).movePointLeft(3).toPlainString();
    }

    private void write(CharSequence s) {
        try {
            file.writer().append(s);
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    @Override
    public void close() throws IOException {
        write("\n]}\n");
        file.commit();
    }

    /** Drops the partial file. */
    public void abort() {
        file.abort();
    }
}
