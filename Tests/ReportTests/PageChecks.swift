import Foundation

#if canImport(FoundationXML)
import FoundationXML
#endif

/// Reading a generated page the way a browser resolves it: the attribute values of its
/// links and pictures, and the SVG files, without a browser.
enum PageChecks {
    /// The values of every `attribute="…"` in `html`, entities undone.
    static func attributeValues(_ attribute: String, in html: String) -> [String] {
        var values: [String] = []
        var rest = html[...]
        let marker = " \(attribute)=\""
        while let start = rest.range(of: marker) {
            let afterStart = rest[start.upperBound...]
            guard let end = afterStart.firstIndex(of: "\"") else { break }
            values.append(unescaped(String(afterStart[..<end])))
            rest = afterStart[end...]
        }
        return values
    }

    /// `text` with the character references the report writes undone.
    static func unescaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'")
            .replacingOccurrences(of: "&amp;", with: "&")
    }

    /// The file a relative link points at inside `folder`, percent-encoding undone; `nil`
    /// for in-page anchors.
    static func target(of link: String, in folder: URL) -> URL? {
        guard !link.hasPrefix("#") else { return nil }
        return folder.appendingPathComponent(link.removingPercentEncoding ?? link)
    }

    /// Whether `data` is well-formed XML whose root element is `svg`; the parser's error otherwise.
    static func svgProblem(_ data: Data) -> String? {
        final class Root: NSObject, XMLParserDelegate {
            var first: String?
            func parser(
                _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]
            ) {
                if first == nil { first = elementName }
            }
        }
        let parser = XMLParser(data: data)
        let root = Root()
        parser.delegate = root
        guard parser.parse() else { return "\(parser.parserError.map { "\($0)" } ?? "not XML")" }
        return root.first == "svg" ? nil : "the root element is \(root.first ?? "missing")"
    }

    /// How often `tag` opens (`<tag` followed by a space or `>`) and closes in `html`.
    static func balance(of tag: String, in html: String) -> (opened: Int, closed: Int) {
        let opened = html.components(separatedBy: "<\(tag) ").count - 1 + html.components(separatedBy: "<\(tag)>").count - 1
        return (opened, html.components(separatedBy: "</\(tag)>").count - 1)
    }
}
