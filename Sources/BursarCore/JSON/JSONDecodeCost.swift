/// The estimated bytes a document's tree holds so far, against the most it may.
struct JSONDecodeCost {
    let maximum: Int
    private(set) var spent = 0

    init(maximum: Int) {
        self.maximum = maximum
    }

    mutating func spend(_ bytes: Int, at offset: Int) throws(JSONSyntaxError) {
        spent += bytes
        guard spent <= maximum else {
            throw JSONSyntaxError(message: "the document decodes to more than \(JSONDecodeCost.describe(maximum))", offset: offset, isTooLarge: true)
        }
    }

    /// `32 MiB`, `512 KiB` or `900 bytes`.
    static func describe(_ bytes: Int) -> String {
        if bytes >= 1024 * 1024, bytes % (1024 * 1024) == 0 { return "\(bytes / 1024 / 1024) MiB" }
        if bytes >= 1024, bytes % 1024 == 0 { return "\(bytes / 1024) KiB" }
        return "\(bytes) bytes"
    }
}
