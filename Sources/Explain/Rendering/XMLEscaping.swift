/// Text made safe for XML and HTML: the five markup characters `&`, `<`, `>`, `"` and `'`
/// become character references, so a title or a file name can go into an element's text or
/// a quoted attribute value of an SVG or HTML document without changing its structure.
public enum XMLEscaping {
    /// `text` with `&`, `<`, `>`, `"` and `'` replaced by `&amp;`, `&lt;`, `&gt;`, `&quot;`
    /// and `&#39;` (the numeric form, which HTML 4 and every XML parser accept).
    public static func escaped(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            default: result.append(character)
            }
        }
        return result
    }
}
