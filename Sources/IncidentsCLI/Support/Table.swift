/// A plain text table: a header row and aligned columns, two spaces apart.
struct Table {
    var header: [String]
    var rows: [[String]] = []

    init(_ header: [String]) {
        self.header = header
    }

    mutating func add(_ row: [String]) {
        rows.append(row)
    }

    /// The table as lines, each column as wide as its widest cell (counted in
    /// characters; styled header text is applied after measuring).
    func render(styleHeader: (String) -> String = { $0 }) -> String {
        var widths = header.map(\.count)
        for row in rows {
            for (index, cell) in row.enumerated() where index < widths.count {
                widths[index] = max(widths[index], cell.count)
            }
        }
        func line(_ cells: [String], style: (String) -> String) -> String {
            var text = ""
            for (index, cell) in cells.enumerated() {
                let isLast = index == cells.count - 1
                let padded =
                    isLast ? cell : cell + String(repeating: " ", count: widths[index] - cell.count)
                text += (index == 0 ? "" : "  ") + style(padded)
            }
            // An empty last column leaves the one before it padded: trim that.
            while text.last == " " { text.removeLast() }
            return text
        }
        var lines = [line(header, style: styleHeader)]
        lines += rows.map { line($0, style: { $0 }) }
        return lines.joined(separator: "\n")
    }
}
