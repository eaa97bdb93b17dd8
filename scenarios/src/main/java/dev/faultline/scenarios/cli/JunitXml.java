package dev.faultline.scenarios.cli;

import dev.faultline.core.trace.AtomicFileWriter;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;

/**
 * {@code --junit-xml FILE} of {@code run}, {@code fuzz} and {@code compare}: the JUnit XML report
 * that CI systems (GitHub Actions test reporters, GitLab, Jenkins) read, one {@code <testcase>} per
 * scenario expectation, fuzz finding or sweep run, each failure with its message and the command
 * that replays it. The file is written whole or not at all (a temporary file beside it, then an
 * atomic rename), so an interrupted or failed command never leaves half a report.
 */
final class JunitXml {
    /** What happened to one test case. */
    enum Outcome { PASSED, FAILED, ERROR, SKIPPED }

    /**
     * One {@code <testcase>}.
     *
     * @param classname the group CI tools list it under ({@code faultline.run.broker-crash-rf3})
     * @param name the expectation, finding or run
     * @param seconds wall time, or 0
     * @param outcome passed, failed (an expectation or invariant), error (invalid input, internal error) or skipped (a
     *     finding that does not fail the command, such as a HAZARD under {@code --fail-on bug})
     * @param message one line: what failed
     * @param type the failure's type attribute (its class: BUG, HAZARD, EXPECTED, or invalid, internal)
     * @param details the body: the whole story and the replay command
     */
    record Case(String classname, String name, double seconds, Outcome outcome, String message, String type, String details) {
        static Case passed(String classname, String name, double seconds, String details) {
            return new Case(classname, name, seconds, Outcome.PASSED, "", "", details);
        }
    }

    private JunitXml() {
    }

    /** The document: one {@code <testsuites>} holding one {@code <testsuite>} named {@code suite}. */
    static String render(String suite, List<Case> cases) {
        long failures = cases.stream().filter(c -> c.outcome() == Outcome.FAILED).count();
        long errors = cases.stream().filter(c -> c.outcome() == Outcome.ERROR).count();
        long skipped = cases.stream().filter(c -> c.outcome() == Outcome.SKIPPED).count();
        double total = cases.stream().mapToDouble(Case::seconds).sum();
        StringWriter out = new StringWriter();
        try {
            XMLStreamWriter x = XMLOutputFactory.newFactory().createXMLStreamWriter(out);
            x.writeStartDocument("UTF-8", "1.0");
            x.writeCharacters("\n");
            x.writeStartElement("testsuites");
            x.writeAttribute("name", suite);
            x.writeAttribute("tests", Integer.toString(cases.size()));
            x.writeAttribute("failures", Long.toString(failures));
            x.writeAttribute("errors", Long.toString(errors));
            x.writeAttribute("time", seconds(total));
            x.writeCharacters("\n  ");
            x.writeStartElement("testsuite");
            x.writeAttribute("name", suite);
            x.writeAttribute("tests", Integer.toString(cases.size()));
            x.writeAttribute("failures", Long.toString(failures));
            x.writeAttribute("errors", Long.toString(errors));
            x.writeAttribute("skipped", Long.toString(skipped));
            x.writeAttribute("time", seconds(total));
            for (Case c : cases) {
                x.writeCharacters("\n    ");
                x.writeStartElement("testcase");
                x.writeAttribute("classname", clean(c.classname()));
                x.writeAttribute("name", clean(c.name()));
                x.writeAttribute("time", seconds(c.seconds()));
                String element = switch (c.outcome()) {
                    case FAILED -> "failure";
                    case ERROR -> "error";
                    case SKIPPED -> "skipped";
                    case PASSED -> null;
                };
                if (element != null) {
                    x.writeCharacters("\n      ");
                    x.writeStartElement(element);
                    x.writeAttribute("message", clean(c.message()));
                    if (!c.type().isEmpty()) {
                        x.writeAttribute("type", clean(c.type()));
                    }
                    x.writeCharacters(clean(c.details()));
                    x.writeEndElement();
                } else if (!c.details().isEmpty()) {
                    x.writeCharacters("\n      ");
                    x.writeStartElement("system-out");
                    x.writeCharacters(clean(c.details()));
                    x.writeEndElement();
                }
                x.writeCharacters("\n    ");
                x.writeEndElement();
            }
            x.writeCharacters("\n  ");
            x.writeEndElement();
            x.writeCharacters("\n");
            x.writeEndElement();
            x.writeCharacters("\n");
            x.writeEndDocument();
            x.close();
        } catch (XMLStreamException e) {
            throw new IllegalStateException("cannot render the JUnit XML report", e);
        }
        return out.toString();
    }

    /** Writes the report whole or not at all. */
    static void write(Path file, String suite, List<Case> cases) throws IOException {
        AtomicFileWriter.write(file, render(suite, cases));
    }

    private static String seconds(double s) {
        return String.format(Locale.ROOT, "%.3f", s);
    }

    /** XML 1.0 allows no control characters but tab, line feed and carriage return (ANSI escapes from a terminal, say). */
    private static String clean(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            sb.append(ch < 0x20 && ch != '\t' && ch != '\n' && ch != '\r' || ch == 0xFFFE || ch == 0xFFFF ? '?' : ch);
        }
        return sb.toString();
    }
}
