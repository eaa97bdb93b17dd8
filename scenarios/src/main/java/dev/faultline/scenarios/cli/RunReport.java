package dev.faultline.scenarios.cli;

import dev.faultline.core.control.FailoverMeasurement;
import dev.faultline.core.kernel.Time;
import dev.faultline.scenarios.run.ScenarioResult;
import dev.faultline.scenarios.spec.Scenario;

/** The {@code report.html} of a run directory: verdicts and a timeline of every failover's phases. */
final class RunReport {
    private RunReport() {
    }

    static String html(Scenario s, ScenarioResult r) {
        StringBuilder h = new StringBuilder("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>").append(esc(s.name()))
                .append("</title><style>body{font-family:sans-serif;margin:2em}td,th{padding:2px 8px;text-align:left}"
                        + ".ok{color:#2a2}.bad{color:#c22}</style></head><body>\n");
        h.append("<h1>").append(esc(s.name())).append(" — ").append(r.passed() ? "<span class=ok>passed</span>" : "<span class=bad>failed</span>")
                .append("</h1>\n<p>").append(esc(s.description())).append("</p>\n");
        h.append("<p>mode ").append(esc(r.mode())).append(", seed ").append(r.seed()).append(", ").append(r.events()).append(" events, ")
                .append(Time.format(r.simulatedNanos())).append(" simulated, fingerprint <code>").append(r.fingerprint()).append("</code></p>\n<ul>");
        for (ScenarioResult.Verdict v : r.expectations()) {
            h.append("<li class=").append(v.held() ? "ok" : "bad").append(">").append(esc(v.toString())).append("</li>");
        }
        h.append("</ul>\n");
        if (r.violation() != null) {
            h.append("<h2>Violation: ").append(esc(r.classification() == null ? "BUG" : r.classification().label())).append("</h2><pre>")
                    .append(esc(r.violation().report())).append("</pre>\n");
        }
        if (!r.excused().isEmpty()) {
            h.append("<h2>Hazards and expected cases (the run went on)</h2>\n<ul>");
            for (ScenarioResult.Classified c : r.excused()) {
                h.append("<li>").append(esc(c.toString())).append("</li>");
            }
            h.append("</ul>\n");
        }
        h.append("<h2>Failovers</h2>\n");
        for (FailoverMeasurement f : r.failovers()) {
            h.append("<h3>").append(esc(f.kind() + " " + f.target() + " at " + Time.format(f.faultAtNanos()))).append("</h3>\n");
            long end = Math.max(1, Math.max(Math.max(f.detectNanos(), f.electNanos()), Math.max(Math.max(f.readyNanos(), f.propagateNanos()), f.clientNanos())));
            h.append("<svg width=\"720\" height=\"130\" xmlns=\"http://www.w3.org/2000/svg\">\n");
            String[] names = {"detect", "elect", "ready", "propagate", "client"};
            long[] values = {f.detectNanos(), f.electNanos(), f.readyNanos(), f.propagateNanos(), f.clientNanos()};
            for (int i = 0; i < names.length; i++) {
                int y = 5 + i * 24;
                h.append("<text x=\"0\" y=\"").append(y + 13).append("\" font-size=\"12\">").append(names[i]).append("</text>");
                if (values[i] >= 0) {
                    double w = 560.0 * values[i] / end;
                    h.append(String.format(java.util.Locale.ROOT, "<rect x=\"80\" y=\"%d\" width=\"%.1f\" height=\"16\" fill=\"#1f77b4\"/>", y, Math.max(1, w)));
                    h.append(String.format(java.util.Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" font-size=\"12\">%s</text>", 84 + w, y + 13,
                            Time.format(values[i])));
                }
                h.append('\n');
            }
            h.append("</svg>\n");
        }
        if (!r.topicCreations().isEmpty()) {
            h.append("<h2>Topics created during the run</h2>\n<table><tr><th>topic</th><th>requested at</th><th>created after</th>"
                    + "<th>usable after</th><th>partitions</th></tr>\n");
            for (dev.faultline.core.control.TopicCreation t : r.topicCreations()) {
                h.append("<tr><td>").append(esc(t.topic())).append("</td><td>").append(Time.format(t.requestedAtNanos())).append("</td><td>")
                        .append(t.createdNanos() < 0 ? "-" : Time.format(t.createdNanos())).append("</td><td>")
                        .append(t.readyNanos() < 0 ? "-" : Time.format(t.readyNanos())).append("</td><td>").append(t.partitions())
                        .append("</td></tr>\n");
            }
            h.append("</table>\n");
        }
        return h.append("</body></html>\n").toString();
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
