package io.nvmesh.cli;

import io.nvmesh.schema.Problem;
import io.nvmesh.schema.validation.ValidationReport;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;

/** JUnit XML, as GitLab, Jenkins and most CI servers read it: one test case per file, one failure per problem. */
final class JunitReport {

    private JunitReport() {
    }

    static void write(ValidationReport report, PrintWriter out) {
        StringWriter buffer = new StringWriter();
        try {
            XMLStreamWriter xml = XMLOutputFactory.newFactory().createXMLStreamWriter(buffer);
            xml.writeStartDocument("UTF-8", "1.0");
            xml.writeCharacters("\n");
            xml.writeStartElement("testsuites");
            xml.writeAttribute("name", "nvmesh validate");
            xml.writeAttribute("tests", String.valueOf(report.fileCount()));
            xml.writeAttribute("failures", String.valueOf(report.problems().size()));
            xml.writeCharacters("\n  ");
            xml.writeStartElement("testsuite");
            xml.writeAttribute("name", "nvmesh validate");
            xml.writeAttribute("tests", String.valueOf(report.fileCount()));
            xml.writeAttribute("failures", String.valueOf(report.problems().size()));
            xml.writeAttribute("errors", "0");
            xml.writeAttribute("skipped", "0");
            for (String file : report.files()) {
                xml.writeCharacters("\n    ");
                xml.writeStartElement("testcase");
                xml.writeAttribute("classname", "nvmesh.validate");
                xml.writeAttribute("name", file);
                xml.writeAttribute("file", file);
                List<Problem> problems = report.problemsIn(file);
                for (Problem p : problems) {
                    xml.writeCharacters("\n      ");
                    xml.writeStartElement("failure");
                    xml.writeAttribute("type", "invalid manifest");
                    xml.writeAttribute("message", p.render());
                    xml.writeCharacters(p.render());
                    xml.writeEndElement();
                }
                if (!problems.isEmpty()) {
                    xml.writeCharacters("\n    ");
                }
                xml.writeEndElement();
            }
            xml.writeCharacters("\n  ");
            xml.writeEndElement();
            xml.writeCharacters("\n");
            xml.writeEndElement();
            xml.writeEndDocument();
            xml.close();
        } catch (XMLStreamException e) {
            throw new IllegalStateException("cannot write JUnit XML", e);
        }
        out.println(buffer);
    }
}
