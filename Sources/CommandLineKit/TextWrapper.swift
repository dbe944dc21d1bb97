/// Breaks prose into lines no wider than a given width, at spaces.
///
/// Widths are counted in characters, which is right for the plain text of help screens.
enum TextWrapper {
    /// Lays words out on as few lines as fit the width.
    ///
    /// A word wider than the width gets a line of its own rather than being cut.
    ///
    /// - Parameters:
    ///   - words: The words, each kept whole; a word may contain spaces.
    ///   - width: The widest a line may be.
    ///   - lead: What the first line starts with, e.g. a label or an indent.
    ///   - hangingIndent: How many spaces start every later line.
    /// - Returns: The lines, without trailing spaces.
    static func lines(
        of words: [String],
        width: Int,
        lead: String = "",
        hangingIndent: Int = 0
    ) -> [String] {
        var lines: [String] = []
        var line = lead
        var lineWidth = lead.count
        var lineHasWord = false

        for word in words {
            if lineHasWord && lineWidth + 1 + word.count > width {
                lines.append(line)
                line = String(repeating: " ", count: hangingIndent)
                lineWidth = hangingIndent
                lineHasWord = false
            }
            if lineHasWord {
                line += " "
                lineWidth += 1
            }
            line += word
            lineWidth += word.count
            lineHasWord = true
        }
        lines.append(withoutTrailingSpaces(line))
        return lines
    }

    /// Wraps text made of paragraphs separated by blank lines, keeping one blank line between
    /// paragraphs.
    ///
    /// The lines of a paragraph are joined and re-wrapped, except lines that start with a
    /// space: those are kept as written, so lists and tables keep their layout.
    ///
    /// - Parameters:
    ///   - text: The text to wrap.
    ///   - width: The widest a re-wrapped line may be.
    /// - Returns: The lines, with an empty line between paragraphs.
    static func paragraphs(_ text: String, width: Int) -> [String] {
        var paragraphs: [[Substring]] = [[]]
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.allSatisfy(\.isWhitespace) {
                paragraphs.append([])
            } else {
                paragraphs[paragraphs.count - 1].append(line)
            }
        }
        let laidOut = paragraphs.filter { !$0.isEmpty }.map { layOut($0, width: width) }
        return Array(laidOut.joined(separator: [""]))
    }

    /// Lays out one paragraph: runs of ordinary lines flow together, indented lines stay.
    private static func layOut(_ paragraph: [Substring], width: Int) -> [String] {
        var output: [String] = []
        var flowingWords: [String] = []
        for line in paragraph {
            if line.first == " " {
                if !flowingWords.isEmpty {
                    output += lines(of: flowingWords, width: width)
                    flowingWords = []
                }
                output.append(withoutTrailingSpaces(line))
            } else {
                flowingWords += words(of: line)
            }
        }
        if !flowingWords.isEmpty {
            output += lines(of: flowingWords, width: width)
        }
        return output
    }

    /// The words of a line, split at runs of spaces and tabs.
    static func words(of text: some StringProtocol) -> [String] {
        String(text).split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
    }

    private static func withoutTrailingSpaces(_ line: some StringProtocol) -> String {
        var line = Substring(line)
        while line.last == " " {
            line.removeLast()
        }
        return String(line)
    }
}
