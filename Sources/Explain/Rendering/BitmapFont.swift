/// A small built-in bitmap font for figure labels: the 95 printable ASCII characters drawn
/// on a 5 × 9 grid (capitals and digits 7 rows high, 2 rows below the baseline for the
/// descenders of `g j p q y` and for `, ;`). Characters outside printable ASCII are drawn
/// as `?`.
///
/// A character advances 6 pixels (one blank column between glyphs) and a line is 11 pixels
/// high, all times the drawing scale; ``Canvas/drawText(_:atX:y:color:scale:orientation:)``
/// draws with it. The glyphs were drawn for this package.
public enum BitmapFont {
    /// Columns of one glyph.
    public static let glyphWidth = 5
    /// Rows of one glyph, descenders included.
    public static let glyphHeight = 9
    /// Rows from the top of a glyph to its baseline row, included: the height of capitals.
    public static let capitalHeight = 7
    /// Horizontal distance from one character to the next.
    public static let advance = 6
    /// Vertical distance from one line to the next.
    public static let lineHeight = 11

    /// The size in pixels of `text` drawn at `scale`: the widest line (without the blank
    /// column after its last character) by the lines' height (the last line without its
    /// spacing). An empty text is `0 × 0`; `scale` below 1 counts as 1.
    public static func size(of text: String, scale: Int = 1) -> (width: Int, height: Int) {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let scale = max(scale, 1)
        let longest = lines.map(\.count).max() ?? 0
        guard longest > 0 || lines.count > 1 else { return (0, 0) }
        let width = longest > 0 ? (longest * advance - (advance - glyphWidth)) * scale : 0
        let height = ((lines.count - 1) * lineHeight + glyphHeight) * scale
        return (width, height)
    }

    /// The rows of `character`'s glyph, top to bottom: bit 4 of each is the leftmost
    /// column, bit 0 the rightmost. Characters outside printable ASCII give the glyph of `?`.
    public static func rows(of character: Character) -> ArraySlice<UInt8> {
        let index = glyphIndex(of: character)
        return bitmap[(index * glyphHeight)..<((index + 1) * glyphHeight)]
    }

    /// The index into ``bitmap`` of `character`'s glyph.
    static func glyphIndex(of character: Character) -> Int {
        guard let ascii = character.asciiValue, (32...126).contains(ascii) else { return Int(Character("?").asciiValue ?? 63) - 32 }
        return Int(ascii) - 32
    }

    /// All glyphs, `glyphHeight` row bytes each, for the characters 32 (space) to 126 (`~`).
    static let bitmap: [UInt8] = {
        var rows = [UInt8]()
        rows.reserveCapacity(glyphs.count * glyphHeight)
        for (index, glyph) in glyphs.enumerated() {
            let drawn = glyph.split(separator: " ")
            precondition(drawn.count <= glyphHeight, "BitmapFont: glyph \(index + 32) has \(drawn.count) rows")
            for row in 0..<glyphHeight {
                var bits: UInt8 = 0
                if row < drawn.count {
                    precondition(drawn[row].count == glyphWidth, "BitmapFont: glyph \(index + 32) row \(row) is not \(glyphWidth) wide")
                    for character in drawn[row] { bits = bits << 1 | (character == "#" ? 1 : 0) }
                }
                rows.append(bits)
            }
        }
        return rows
    }()

    /// The glyphs of the characters 32 (space) to 126 (`~`), in order: rows of 5 columns
    /// (`#` ink, `.` blank) separated by spaces, top first; rows not written are blank.
    private static let glyphs: [String] = [
        "",  // space
        "..#.. ..#.. ..#.. ..#.. ..#.. ..... ..#..",  // !
        ".#.#. .#.#. .#.#.",  // "
        ".#.#. .#.#. ##### .#.#. ##### .#.#. .#.#.",  // #
        "..#.. .#### #.#.. .###. ..#.# ####. ..#..",  // $
        "##... ##..# ...#. ..#.. .#... #..## ...##",  // %
        ".##.. #..#. #.#.. .#... #.#.# #..#. .##.#",  // &
        "..#.. ..#.. .#...",  // '
        "...#. ..#.. .#... .#... .#... ..#.. ...#.",  // (
        ".#... ..#.. ...#. ...#. ...#. ..#.. .#...",  // )
        "..... ..#.. #.#.# .###. #.#.# ..#.. .....",  // *
        "..... ..#.. ..#.. ##### ..#.. ..#.. .....",  // +
        "..... ..... ..... ..... ..... ..##. ..##. ...#. ..#..",  // ,
        "..... ..... ..... ##### ..... ..... .....",  // -
        "..... ..... ..... ..... ..... .##.. .##..",  // .
        "..... ....# ...#. ..#.. .#... #.... .....",  // /
        ".###. #...# #..## #.#.# ##..# #...# .###.",  // 0
        "..#.. .##.. ..#.. ..#.. ..#.. ..#.. .###.",  // 1
        ".###. #...# ....# ...#. ..#.. .#... #####",  // 2
        "##### ...#. ..#.. ...#. ....# #...# .###.",  // 3
        "...#. ..##. .#.#. #..#. ##### ...#. ...#.",  // 4
        "##### #.... ####. ....# ....# #...# .###.",  // 5
        "..##. .#... #.... ####. #...# #...# .###.",  // 6
        "##### ....# ...#. ..#.. .#... .#... .#...",  // 7
        ".###. #...# #...# .###. #...# #...# .###.",  // 8
        ".###. #...# #...# .#### ....# ...#. .##..",  // 9
        "..... .##.. .##.. ..... .##.. .##.. .....",  // :
        "..... .##.. .##.. ..... .##.. .##.. ..#.. .#...",  // ;
        "...#. ..#.. .#... #.... .#... ..#.. ...#.",  // <
        "..... ..... ##### ..... ##### ..... .....",  // =
        ".#... ..#.. ...#. ....# ...#. ..#.. .#...",  // >
        ".###. #...# ....# ...#. ..#.. ..... ..#..",  // ?
        ".###. #...# ....# .##.# #.#.# #.#.# .###.",  // @
        ".###. #...# #...# ##### #...# #...# #...#",  // A
        "####. #...# #...# ####. #...# #...# ####.",  // B
        ".###. #...# #.... #.... #.... #...# .###.",  // C
        "###.. #..#. #...# #...# #...# #..#. ###..",  // D
        "##### #.... #.... ####. #.... #.... #####",  // E
        "##### #.... #.... ####. #.... #.... #....",  // F
        ".###. #...# #.... #.### #...# #...# .####",  // G
        "#...# #...# #...# ##### #...# #...# #...#",  // H
        ".###. ..#.. ..#.. ..#.. ..#.. ..#.. .###.",  // I
        "..### ...#. ...#. ...#. ...#. #..#. .##..",  // J
        "#...# #..#. #.#.. ##... #.#.. #..#. #...#",  // K
        "#.... #.... #.... #.... #.... #.... #####",  // L
        "#...# ##.## #.#.# #.#.# #...# #...# #...#",  // M
        "#...# #...# ##..# #.#.# #..## #...# #...#",  // N
        ".###. #...# #...# #...# #...# #...# .###.",  // O
        "####. #...# #...# ####. #.... #.... #....",  // P
        ".###. #...# #...# #...# #.#.# #..#. .##.#",  // Q
        "####. #...# #...# ####. #.#.. #..#. #...#",  // R
        ".#### #.... #.... .###. ....# ....# ####.",  // S
        "##### ..#.. ..#.. ..#.. ..#.. ..#.. ..#..",  // T
        "#...# #...# #...# #...# #...# #...# .###.",  // U
        "#...# #...# #...# #...# #...# .#.#. ..#..",  // V
        "#...# #...# #...# #.#.# #.#.# #.#.# .#.#.",  // W
        "#...# #...# .#.#. ..#.. .#.#. #...# #...#",  // X
        "#...# #...# .#.#. ..#.. ..#.. ..#.. ..#..",  // Y
        "##### ....# ...#. ..#.. .#... #.... #####",  // Z
        ".###. .#... .#... .#... .#... .#... .###.",  // [
        "..... #.... .#... ..#.. ...#. ....# .....",  // backslash
        ".###. ...#. ...#. ...#. ...#. ...#. .###.",  // ]
        "..#.. .#.#. #...#",  // ^
        "..... ..... ..... ..... ..... ..... ..... #####",  // _
        ".#... ..#.. ...#.",  // `
        "..... ..... .###. ....# .#### #...# .####",  // a
        "#.... #.... #.##. ##..# #...# #...# ####.",  // b
        "..... ..... .###. #.... #.... #...# .###.",  // c
        "....# ....# .##.# #..## #...# #...# .####",  // d
        "..... ..... .###. #...# ##### #.... .###.",  // e
        "..##. .#..# .#... ###.. .#... .#... .#...",  // f
        "..... ..... .#### #...# #...# #...# .#### ....# .###.",  // g
        "#.... #.... #.##. ##..# #...# #...# #...#",  // h
        "..#.. ..... .##.. ..#.. ..#.. ..#.. .###.",  // i
        "...#. ..... ..##. ...#. ...#. ...#. ...#. #..#. .##..",  // j
        "#.... #.... #..#. #.#.. ##... #.#.. #..#.",  // k
        ".##.. ..#.. ..#.. ..#.. ..#.. ..#.. .###.",  // l
        "..... ..... ##.#. #.#.# #.#.# #.#.# #.#.#",  // m
        "..... ..... #.##. ##..# #...# #...# #...#",  // n
        "..... ..... .###. #...# #...# #...# .###.",  // o
        "..... ..... ####. #...# #...# #...# ####. #.... #....",  // p
        "..... ..... .#### #...# #...# #...# .#### ....# ....#",  // q
        "..... ..... #.##. ##..# #.... #.... #....",  // r
        "..... ..... .###. #.... .###. ....# ####.",  // s
        ".#... .#... ###.. .#... .#... .#..# ..##.",  // t
        "..... ..... #...# #...# #...# #..## .##.#",  // u
        "..... ..... #...# #...# #...# .#.#. ..#..",  // v
        "..... ..... #...# #...# #.#.# #.#.# .#.#.",  // w
        "..... ..... #...# .#.#. ..#.. .#.#. #...#",  // x
        "..... ..... #...# #...# #...# #...# .#### ....# .###.",  // y
        "..... ..... ##### ...#. ..#.. .#... #####",  // z
        "...## ..#.. ..#.. .#... ..#.. ..#.. ...##",  // {
        "..#.. ..#.. ..#.. ..#.. ..#.. ..#.. ..#..",  // |
        "##... ..#.. ..#.. ...#. ..#.. ..#.. ##...",  // }
        "..... ..... .#... #.#.# ...#. ..... .....",  // ~
    ]
}
