package dev.faultline.reports;

import dev.faultline.core.kernel.Time;
import dev.faultline.core.trace.AtomicFileWriter;
import dev.faultline.core.trace.Json;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Renders a {@link Comparison}: a text table for the terminal, CSV and JSON for tools, and an HTML
 * page with SVG charts (no script, no external resources). Files are written whole or not at all.
 */
public final class ComparisonReport {
    private ComparisonReport() {
    }

    private static String fmt(Comparison c, String metric, long v) {
        if (c.unit(metric) == Comparison.Unit.COUNT) {
            return Long.toString(v);
        }
        return Time.formatMillis(v);
    }

    /** The terminal table: one row per (case, metric, series); durations in milliseconds. */
    public static String table(Comparison c) {
        StringBuilder out = new StringBuilder();
        out.append(c.title()).append('\n');
        String header = String.format(Locale.ROOT, "%-34s %-14s %-10s %5s %11s %11s %11s %11s %11s", "case / metric", "", "mode", "n",
                "min", "p50", "p90", "p99", "max");
        for (String kase : c.cases()) {
            out.append('\n').append(kase).append('\n');
            out.append(header).append('\n');
            for (String metric : c.metrics()) {
                boolean first = true;
                for (String serie : c.series()) {
                    if (!c.has(kase, metric, serie)) {
                        continue;
                    }
                    Distribution d = c.distribution(kase, metric, serie);
                    int miss = c.missing(kase, metric, serie);
                    String label = first ? "  " + metric + (c.unit(metric) == Comparison.Unit.NANOS ? " (ms)" : "") : "";
                    first = false;
                    if (d.count() == 0) {
                        out.append(String.format(Locale.ROOT, "%-49s %-10s %5d %s%n", label, serie, 0, "   never reached in " + miss + " run(s)"));
                        continue;
                    }
                    out.append(String.format(Locale.ROOT, "%-49s %-10s %5d %11s %11s %11s %11s %11s%s%n", label, serie, d.count(),
                            fmt(c, metric, d.min()), fmt(c, metric, d.p50()), fmt(c, metric, d.p90()), fmt(c, metric, d.p99()),
                            fmt(c, metric, d.max()), miss > 0 ? "  (+" + miss + " never)" : ""));
                }
            }
        }
        if (!c.notesInOrder().isEmpty()) {
            out.append('\n');
            for (Map.Entry<String, String> e : c.notesInOrder()) {
                out.append(e.getKey()).append(": ").append(e.getValue()).append('\n');
            }
        }
        return out.toString();
    }

    /**
     * The sweep table: for each sweep group, each metric and each series, the median at every point
     * of the sweep axis (durations in milliseconds), with the runs that never reached it in
     * parentheses; empty when the comparison is not a sweep.
     */
    public static String sweepTable(Comparison c) {
        if (!c.isSweep()) {
            return "";
        }
        StringBuilder out = new StringBuilder();
        for (String group : c.sweepGroups()) {
            java.util.SortedMap<Long, String> points = c.sweepPoints(group);
            out.append('\n').append(group).append(": median by ").append(c.sweepAxis()).append('\n');
            StringBuilder header = new StringBuilder(String.format(Locale.ROOT, "%-24s %-10s", "metric", "mode"));
            for (Long x : points.keySet()) {
                header.append(String.format(Locale.ROOT, " %16s", count(x)));
            }
            out.append(header).append('\n');
            for (String metric : c.metrics()) {
                boolean first = true;
                for (String serie : c.series()) {
                    boolean any = false;
                    for (String kase : points.values()) {
                        any |= c.has(kase, metric, serie);
                    }
                    if (!any) {
                        continue;
                    }
                    String label = first ? metric + (c.unit(metric) == Comparison.Unit.NANOS ? " (ms)" : "") : "";
                    first = false;
                    out.append(String.format(Locale.ROOT, "%-24s %-10s", label, serie));
                    for (String kase : points.values()) {
                        out.append(String.format(Locale.ROOT, " %16s", cell(c, kase, metric, serie)));
                    }
                    out.append('\n');
                }
            }
        }
        return out.toString();
    }

    /** One cell of the sweep table: the median, "never" when no run reached it, "-" when not measured. */
    private static String cell(Comparison c, String kase, String metric, String serie) {
        if (!c.has(kase, metric, serie)) {
            return "-";
        }
        Distribution d = c.distribution(kase, metric, serie);
        int miss = c.missing(kase, metric, serie);
        if (d.count() == 0) {
            return "never (" + miss + ")";
        }
        return fmt(c, metric, d.p50()) + (miss > 0 ? " (" + miss + " never)" : "");
    }

    /** 1000 → 1k, 2000000 → 2m. */
    public static String count(long x) {
        if (x >= 1_000_000 && x % 1_000_000 == 0) {
            return x / 1_000_000 + "m";
        }
        if (x >= 1_000 && x % 1_000 == 0) {
            return x / 1_000 + "k";
        }
        return Long.toString(x);
    }

    /** CSV: case, metric, unit, mode, count, missing, min, p50, p90, p99, max, mean (durations in ms). */
    public static String csv(Comparison c) {
        StringBuilder out = new StringBuilder("case,metric,unit,mode,count,missing,min,p50,p90,p99,max,mean\n");
        for (String kase : c.cases()) {
            for (String metric : c.metrics()) {
                for (String serie : c.series()) {
                    if (!c.has(kase, metric, serie)) {
                        continue;
                    }
                    Distribution d = c.distribution(kase, metric, serie);
                    boolean nanos = c.unit(metric) == Comparison.Unit.NANOS;
                    out.append(csvField(kase)).append(',').append(csvField(metric)).append(',').append(nanos ? "ms" : "count").append(',')
                            .append(csvField(serie)).append(',').append(d.count()).append(',').append(c.missing(kase, metric, serie));
                    for (long v : new long[] {d.min(), d.p50(), d.p90(), d.p99(), d.max()}) {
                        out.append(',').append(nanos ? Time.formatMillis(v) : Long.toString(v));
                    }
                    out.append(',').append(String.format(Locale.ROOT, "%.3f", nanos ? d.mean() / 1e6 : d.mean())).append('\n');
                }
            }
        }
        return out.toString();
    }

    private static String csvField(String s) {
        return s.contains(",") || s.contains("\"") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }

    /** JSON: the same figures, durations in nanoseconds. */
    public static String json(Comparison c) {
        StringBuilder out = new StringBuilder("{");
        out.append("\"title\":");
        Json.string(out, c.title());
        out.append(",\"notes\":{");
        boolean first = true;
        for (Map.Entry<String, String> e : c.notesInOrder()) {
            out.append(first ? "" : ",");
            first = false;
            Json.string(out, e.getKey()).append(':');
            Json.string(out, e.getValue());
        }
        out.append("},\"rows\":[");
        first = true;
        for (String kase : c.cases()) {
            for (String metric : c.metrics()) {
                for (String serie : c.series()) {
                    if (!c.has(kase, metric, serie)) {
                        continue;
                    }
                    Distribution d = c.distribution(kase, metric, serie);
                    out.append(first ? "\n" : ",\n");
                    first = false;
                    out.append("{\"case\":");
                    Json.string(out, kase);
                    Json.field(out, "metric", metric);
                    Json.field(out, "unit", c.unit(metric) == Comparison.Unit.NANOS ? "ns" : "count");
                    Json.field(out, "mode", serie);
                    Json.field(out, "count", d.count());
                    Json.field(out, "missing", c.missing(kase, metric, serie));
                    Json.field(out, "min", d.min());
                    Json.field(out, "p50", d.p50());
                    Json.field(out, "p90", d.p90());
                    Json.field(out, "p99", d.p99());
                    Json.field(out, "max", d.max());
                    out.append(",\"mean\":").append(String.format(Locale.ROOT, "%.1f", d.mean())).append('}');
                }
            }
        }
        return out.append("\n]}\n").toString();
    }

    private static final String[] COLORS = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"};

    /** An HTML page: for each case, one SVG chart per duration metric (bar to p50, whisker min..p99). */
    public static String html(Comparison c) {
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>").append(escape(c.title())).append("</title>\n")
                .append("<style>body{font-family:sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:1em 0}")
                .append("td,th{border:1px solid #ccc;padding:2px 8px;text-align:right}th{background:#f4f4f4}td.l{text-align:left}")
                .append("svg text{font-size:11px}</style></head><body>\n");
        h.append("<h1>").append(escape(c.title())).append("</h1>\n");
        List<String> series = c.series();
        h.append("<p>");
        for (int i = 0; i < series.size(); i++) {
            h.append("<span style=\"color:").append(COLORS[i % COLORS.length]).append("\">&#9632; ").append(escape(series.get(i))).append("</span> ");
        }
        h.append("— bars reach the median, whiskers span min to p99; durations in milliseconds.</p>\n");
        if (c.isSweep()) {
            h.append(sweepHtml(c));
        }
        for (String kase : c.cases()) {
            h.append("<h2>").append(escape(kase)).append("</h2>\n");
            for (String metric : c.metrics()) {
                if (c.unit(metric) != Comparison.Unit.NANOS) {
                    continue;
                }
                long max = 1;
                for (String s : series) {
                    if (c.has(kase, metric, s)) {
                        max = Math.max(max, c.distribution(kase, metric, s).p99());
                    }
                }
                int rows = 0;
                for (String s : series) {
                    if (c.has(kase, metric, s)) {
                        rows++;
                    }
                }
                if (rows == 0) {
                    continue;
                }
                int width = 640;
                int left = 90;
                int rowH = 22;
                int height = rows * rowH + 30;
                h.append("<h3>").append(escape(metric)).append("</h3>\n<svg width=\"").append(width + 80).append("\" height=\"").append(height)
                        .append("\" xmlns=\"http://www.w3.org/2000/svg\">\n");
                int row = 0;
                for (int i = 0; i < series.size(); i++) {
                    String s = series.get(i);
                    if (!c.has(kase, metric, s)) {
                        continue;
                    }
                    Distribution d = c.distribution(kase, metric, s);
                    int y = 10 + row * rowH;
                    String color = COLORS[i % COLORS.length];
                    h.append("<text x=\"0\" y=\"").append(y + 14).append("\">").append(escape(s)).append("</text>\n");
                    if (d.count() > 0) {
                        double scale = (double) width / max;
                        h.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"14\" fill=\"%s\" opacity=\"0.7\"/>%n",
                                left, y + 3, Math.max(1, d.p50() * scale), color));
                        h.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\" stroke=\"#222\"/>%n",
                                left + d.min() * scale, left + Math.min(d.p99(), max) * scale, y + 10, y + 10));
                        h.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\">%s</text>%n", left + Math.min(d.p99(), max) * scale + 4, y + 14,
                                Time.formatMillis(d.p50())));
                    } else {
                        h.append("<text x=\"").append(left).append("\" y=\"").append(y + 14).append("\">never reached</text>\n");
                    }
                    row++;
                }
                h.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\" stroke=\"#999\"/>%n", left, left + width, height - 14, height - 14));
                h.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">0</text><text x=\"%d\" y=\"%d\">%s ms</text>%n", left, height - 2,
                        left + width - 40, height - 2, Time.formatMillis(max)));
                h.append("</svg>\n");
            }
        }
        h.append("<h2>All figures</h2>\n<pre>").append(escape(table(c))).append("</pre>\n</body></html>\n");
        return h.toString();
    }

    /**
     * For each sweep group and duration metric, an SVG line chart: the median of each series at each
     * point of the sweep axis (points evenly spaced, labelled with their value), plus the sweep table.
     */
    private static String sweepHtml(Comparison c) {
        StringBuilder h = new StringBuilder("<h2>Against ").append(escape(c.sweepAxis())).append("</h2>\n");
        List<String> series = c.series();
        for (String group : c.sweepGroups()) {
            java.util.SortedMap<Long, String> points = c.sweepPoints(group);
            if (points.size() < 2) {
                continue;
            }
            h.append("<h3>").append(escape(group)).append("</h3>\n");
            for (String metric : c.metrics()) {
                if (c.unit(metric) != Comparison.Unit.NANOS) {
                    continue;
                }
                long max = 0;
                boolean any = false;
                for (String s : series) {
                    for (String kase : points.values()) {
                        if (c.has(kase, metric, s)) {
                            any = true;
                            Distribution d = c.distribution(kase, metric, s);
                            if (d.count() > 0) {
                                max = Math.max(max, d.p50());
                            }
                        }
                    }
                }
                if (!any) {
                    continue;
                }
                max = Math.max(max, 1);
                int left = 80;
                int width = 560;
                int top = 20;
                int height = 200;
                int n = points.size();
                h.append("<p>").append(escape(metric)).append(" (median, ms)</p>\n<svg width=\"").append(left + width + 60).append("\" height=\"")
                        .append(top + height + 40).append("\" xmlns=\"http://www.w3.org/2000/svg\">\n");
                h.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\" stroke=\"#999\"/>%n", left, left + width,
                        top + height, top + height));
                h.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\" stroke=\"#999\"/>%n", left, left, top,
                        top + height));
                h.append(String.format(Locale.ROOT, "<text x=\"0\" y=\"%d\">%s</text><text x=\"0\" y=\"%d\">0</text>%n", top + 4,
                        Time.formatMillis(max), top + height));
                int i = 0;
                for (Long x : points.keySet()) {
                    double px = left + (n == 1 ? width / 2.0 : i * (double) width / (n - 1));
                    h.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n", px, top + height + 16,
                            count(x)));
                    i++;
                }
                h.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>%n", left + width / 2,
                        top + height + 34, escape(c.sweepAxis())));
                for (int si = 0; si < series.size(); si++) {
                    String s = series.get(si);
                    String color = COLORS[si % COLORS.length];
                    StringBuilder path = new StringBuilder();
                    i = 0;
                    for (String kase : points.values()) {
                        double px = left + (n == 1 ? width / 2.0 : i * (double) width / (n - 1));
                        i++;
                        if (!c.has(kase, metric, s)) {
                            continue;
                        }
                        Distribution d = c.distribution(kase, metric, s);
                        if (d.count() == 0) {
                            h.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" fill=\"%s\" text-anchor=\"middle\">never</text>%n", px,
                                    top + 12 + 12 * si, color));
                            continue;
                        }
                        double py = top + height - d.p50() * (double) height / max;
                        path.append(path.length() == 0 ? "M" : " L").append(String.format(Locale.ROOT, "%.1f %.1f", px, py));
                        h.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"><title>%s %s: %s ms</title></circle>%n",
                                px, py, color, escape(s), count(c.sweepPoints(group).entrySet().stream().filter(e -> e.getValue().equals(kase))
                                        .findFirst().get().getKey()), Time.formatMillis(d.p50())));
                    }
                    if (path.length() > 0) {
                        h.append("<path d=\"").append(path).append("\" fill=\"none\" stroke=\"").append(color).append("\" stroke-width=\"2\"/>\n");
                    }
                }
                h.append("</svg>\n");
            }
        }
        h.append("<pre>").append(escape(sweepTable(c))).append("</pre>\n");
        return h.toString();
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    /** Writes {@code comparison.csv}, {@code comparison.json} and {@code report.html} into {@code dir}. */
    public static void writeAll(Comparison c, Path dir) throws IOException {
        AtomicFileWriter.write(dir.resolve("comparison.csv"), csv(c));
        AtomicFileWriter.write(dir.resolve("comparison.json"), json(c));
        AtomicFileWriter.write(dir.resolve("report.html"), html(c));
    }
}
