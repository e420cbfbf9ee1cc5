/// Text that Bursar stores and both backends must keep alike: limits in UTF-8 bytes (what
/// storage and the wire hold, never Characters, of which one can be kilobytes), and no
/// U+0000, which PostgreSQL's text cannot hold. A name must also be free of the other
/// control characters (Unicode's Cc, and the line and paragraph separators): it is shown in
/// the dashboard and written into logs.
public enum StoredText {
    /// What is wrong with `text` as a stored value of at most `maximumBytes` bytes, or nil.
    public static func problem(_ text: String, maximumBytes: Int, isName: Bool = false) -> String? {
        if text.isEmpty { return "must not be empty" }
        if text.utf8.count > maximumBytes { return "must be at most \(maximumBytes) bytes of UTF-8" }
        if text.utf8.contains(0) { return "must not contain the NUL character (U+0000)" }
        if isName, text.unicodeScalars.contains(where: { [.control, .lineSeparator, .paragraphSeparator].contains($0.properties.generalCategory) }) {
            return "must not contain control characters"
        }
        return nil
    }

    /// `problem` as a field error naming `field`.
    public static func check(_ text: String, field: String, maximumBytes: Int, isName: Bool = false) throws(FieldError) {
        if let problem = problem(text, maximumBytes: maximumBytes, isName: isName) { throw .invalid(field, problem) }
    }

    /// A free-text message kept as far as it can be: U+0000 replaced (U+FFFD), then cut to
    /// `maximumBytes` on a Unicode scalar's boundary.
    public static func kept(_ text: String, maximumBytes: Int) -> String {
        var bytes = 0
        var kept = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            let stored: Unicode.Scalar = scalar == "\0" ? "\u{FFFD}" : scalar
            bytes += UTF8.width(stored)
            guard bytes <= maximumBytes else { break }
            kept.append(stored)
        }
        return String(kept)
    }
}
