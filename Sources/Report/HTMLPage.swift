import Explain
import Foundation

/// The parts every report page shares: the document around its sections, with the inline
/// style sheet and the inline script, and the escaping of text and links. Nothing is loaded
/// from the network: the page shows the same offline, opened by a double-click.
enum HTMLPage {
    /// `text` safe inside an element or a quoted attribute.
    static func text(_ text: String) -> String {
        XMLEscaping.escaped(text)
    }

    /// A relative path as an attribute value: each segment percent-encoded (so `#`, `?`, `%`
    /// and spaces in names stay part of the path, and a `:` cannot make the first segment a
    /// scheme such as `javascript:`), then escaped.
    static func link(_ path: String) -> String {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "/?#%;:")
        let encoded = path.split(separator: "/", omittingEmptySubsequences: false)
            .map { String($0).addingPercentEncoding(withAllowedCharacters: allowed) ?? String($0) }
            .joined(separator: "/")
        return text(encoded)
    }

    /// A number for tables: four decimals below 10, else up to one decimal; `–` for NaN.
    static func number(_ value: Double) -> String {
        guard !value.isNaN else { return "–" }
        guard value.isFinite else { return value > 0 ? "∞" : "−∞" }
        return abs(value) < 10 ? String(format: "%.4f", value) : String(format: "%.1f", value)
    }

    /// A score: three significant digits (`0.0123`, `1.23`, `123`).
    static func score(_ value: Float) -> String {
        value.isFinite ? String(format: "%.3g", Double(value)) : "\(value)"
    }

    /// The whole document: a header with `title` and `subtitle` (already HTML), a table of
    /// contents of `sections` (id, heading, body HTML), the sections, a footer with the
    /// page's self-check status, the style and the script.
    static func document(title: String, subtitle: String, sections: [(id: String, heading: String, body: String)]) -> String {
        var html = """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="generator" content="FCDDSwift Report">
            <title>\(text(title))</title>
            <style>
            \(style)
            </style>
            </head>
            <body>
            <header>
            <h1>\(text(title))</h1>
            \(subtitle)
            <nav>\(sections.map { "<a href=\"#\(text($0.id))\">\(text($0.heading))</a>" }.joined(separator: " "))</nav>
            </header>
            <main>

            """
        for section in sections {
            html += "<section id=\"\(text(section.id))\">\n<h2>\(text(section.heading))</h2>\n\(section.body)\n</section>\n"
        }
        html += """
            </main>
            <footer><p id="report-status" data-status="pending">The page's script has not run: its pictures are not checked and the gallery filter does not work.</p></footer>
            <script>
            \(script)
            </script>
            </body>
            </html>

            """
        return html
    }

    /// A table of `rows` (label, value; both already HTML).
    static func table(_ rows: [(String, String)], header: [String]? = nil) -> String {
        var html = "<table>\n"
        if let header { html += "<thead><tr>" + header.map { "<th>\(text($0))</th>" }.joined() + "</tr></thead>\n" }
        html += "<tbody>\n" + rows.map { "<tr><th scope=\"row\">\($0.0)</th><td>\($0.1)</td></tr>" }.joined(separator: "\n") + "\n</tbody>\n</table>"
        return html
    }

    /// A figure showing the picture or chart at `path` with a caption (plain text).
    static func figure(_ path: String, caption: String, alt: String, className: String = "chart") -> String {
        "<figure class=\"\(className)\"><img src=\"\(link(path))\" alt=\"\(text(alt))\"><figcaption>\(text(caption))</figcaption></figure>"
    }

    /// The inline style sheet: system fonts only.
    static let style = """
        :root { color-scheme: light; --muted: #5f6368; --line: #dadce0; --nominal: #1f77b4; --anomalous: #d62728; }
        body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; margin: 0; color: #202124; background: #fff; line-height: 1.45; }
        header, main, footer { max-width: 1240px; margin: 0 auto; padding: 0 20px; }
        header { padding-top: 18px; border-bottom: 1px solid var(--line); }
        h1 { font-size: 1.6rem; margin: 0 0 4px; }
        h2 { font-size: 1.25rem; margin: 28px 0 10px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
        h3 { font-size: 1.05rem; margin: 16px 0 6px; }
        .subtitle, .note, figcaption { color: var(--muted); font-size: 0.9rem; }
        nav { margin: 10px 0 12px; display: flex; flex-wrap: wrap; gap: 6px 14px; font-size: 0.92rem; }
        a { color: #1a0dab; }
        table { border-collapse: collapse; margin: 6px 0 10px; font-size: 0.93rem; }
        th, td { text-align: left; padding: 4px 14px 4px 0; border-bottom: 1px solid #f1f3f4; vertical-align: top; }
        td { font-variant-numeric: tabular-nums; }
        thead th { border-bottom: 1px solid var(--line); }
        .charts { display: flex; flex-wrap: wrap; gap: 12px; align-items: flex-start; }
        figure { margin: 0; }
        figure.chart { max-width: 400px; }
        figure.chart img { width: 400px; max-width: 100%; height: auto; border: 1px solid #f1f3f4; }
        figure.picture img { max-width: 100%; height: auto; image-rendering: pixelated; border: 1px solid #f1f3f4; }
        .columns { display: grid; grid-template-columns: repeat(auto-fit, minmax(300px, 1fr)); gap: 16px; }
        .controls { display: flex; flex-wrap: wrap; gap: 10px 18px; align-items: center; margin: 8px 0 12px; font-size: 0.93rem; }
        .gallery { display: grid; grid-template-columns: repeat(auto-fill, minmax(236px, 1fr)); gap: 10px; }
        .card { border: 1px solid var(--line); border-radius: 6px; padding: 6px; background: #fff; }
        .card.misclassified { border: 2px solid var(--anomalous); padding: 5px; }
        .card img { width: 100%; height: auto; image-rendering: pixelated; display: block; }
        .card figcaption { display: flex; flex-wrap: wrap; gap: 2px 6px; margin-top: 4px; font-size: 0.8rem; }
        .card .name { flex-basis: 100%; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; color: #202124; }
        .tag { border-radius: 3px; padding: 0 4px; background: #f1f3f4; }
        .tag.label-0 { color: var(--nominal); }
        .tag.label-1 { color: var(--anomalous); }
        .tag.wrong { background: var(--anomalous); color: #fff; }
        footer { margin-top: 32px; padding-bottom: 24px; border-top: 1px solid var(--line); color: var(--muted); font-size: 0.85rem; }
        [hidden] { display: none !important; }
        """

    /// The inline script: the gallery's filter and order, and a self-check that every picture
    /// and chart loaded and no script error happened, written into `#report-status`
    /// (`data-status` `ok` or `error`, `data-images` the number of pictures).
    static let script = """
        (function () {
          "use strict";
          var errors = [];
          window.addEventListener("error", function (event) { errors.push("script error: " + (event.message || "unknown")); });
          var gallery = document.getElementById("gallery-cards");
          var filter = document.getElementById("gallery-filter");
          var order = document.getElementById("gallery-order");
          var count = document.getElementById("gallery-count");
          function matches(card, wanted) {
            if (wanted === "misclassified") { return card.getAttribute("data-misclassified") === "true"; }
            if (wanted === "nominal") { return card.getAttribute("data-label") === "0"; }
            if (wanted === "anomalous") { return card.getAttribute("data-label") === "1"; }
            return true;
          }
          function update() {
            if (!gallery) { return; }
            var cards = Array.prototype.slice.call(gallery.children);
            var wanted = filter ? filter.value : "all";
            var sign = order && order.value === "ascending" ? 1 : -1;
            cards.sort(function (a, b) {
              var difference = parseFloat(a.getAttribute("data-score")) - parseFloat(b.getAttribute("data-score"));
              return (difference === 0 || isNaN(difference) ? 0 : sign * difference)
                || parseInt(a.getAttribute("data-index"), 10) - parseInt(b.getAttribute("data-index"), 10);
            });
            var shown = 0;
            cards.forEach(function (card) {
              card.hidden = !matches(card, wanted);
              if (!card.hidden) { shown += 1; }
              gallery.appendChild(card);
            });
            if (count) { count.textContent = shown + " of " + cards.length + " pictures shown"; }
          }
          if (filter) { filter.addEventListener("change", update); }
          if (order) { order.addEventListener("change", update); }
          update();
          window.addEventListener("load", function () {
            var images = document.getElementsByTagName("img");
            var broken = [];
            for (var index = 0; index < images.length; index += 1) {
              if (!images[index].complete || images[index].naturalWidth === 0) { broken.push(images[index].getAttribute("src")); }
            }
            var status = document.getElementById("report-status");
            var problems = broken.map(function (source) { return "not loaded: " + source; }).concat(errors);
            status.setAttribute("data-status", problems.length === 0 ? "ok" : "error");
            status.setAttribute("data-images", String(images.length));
            status.textContent = problems.length === 0
              ? "All " + images.length + " pictures and charts of this page loaded."
              : problems.length + " problems: " + problems.join("; ");
          });
        })();
        """
}
