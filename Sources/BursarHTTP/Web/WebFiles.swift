import HTTPToolkit
import Foundation

/// Static files of the dashboard from a folder, plus Chart.js from Debian's package.
public struct WebFiles: Sendable {
    public static let chartJSPath = "/usr/share/javascript/chart.js/chart.min.js"

    static let contentTypes: [String: String] = [
        "html": "text/html; charset=utf-8",
        "css": "text/css; charset=utf-8",
        "js": "text/javascript; charset=utf-8",
        "mjs": "text/javascript; charset=utf-8",
        "json": "application/json",
        "svg": "image/svg+xml",
        "png": "image/png",
        "ico": "image/x-icon",
        "txt": "text/plain; charset=utf-8",
        "csv": "text/csv; charset=utf-8",
    ]

    public let root: String
    /// `root` with every symbolic link resolved: a file is served only when its own resolved
    /// path lies inside it.
    private let resolvedRoot: String

    public init(root: String) {
        self.root = URL(fileURLWithPath: root).standardizedFileURL.path
        resolvedRoot = Self.resolved(self.root) ?? self.root
    }

    /// The path with every symbolic link resolved (`realpath`), or nil when it does not exist.
    static func resolved(_ path: String) -> String? {
        guard let pointer = realpath(path, nil) else { return nil }
        defer { free(pointer) }
        return String(cString: pointer)
    }

    /// The file for a GET path, or nil when there is none.
    public func response(for request: Request) -> Response? {
        let file: String
        if request.path == "/vendor/chart.js" {
            file = Self.chartJSPath
        } else {
            let relative = request.path == "/" ? "index.html" : String(request.path.drop { $0 == "/" })
            // A control character (a decoded %00 among them) would cut the path short in the C
            // calls below: no such file is served.
            guard !relative.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }),
                  !relative.split(separator: "/").contains(where: { $0 == ".." || $0.hasPrefix(".") }),
                  let real = Self.resolved(root + "/" + relative), real.hasPrefix(resolvedRoot + "/") else { return nil }
            file = real
        }
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: file),
              attributes[.type] as? FileAttributeType == .typeRegular,
              let size = attributes[.size] as? Int,
              let modified = attributes[.modificationDate] as? Date else { return nil }
        let etag = "\"\(String(size, radix: 16))-\(String(Int(modified.timeIntervalSince1970 * 1000), radix: 16))\""
        var headers: [(String, String)] = [
            ("Content-Type", Self.contentTypes[String(file.split(separator: ".").last ?? "")] ?? "application/octet-stream"),
            ("ETag", etag),
            ("Cache-Control", "no-cache"),
            ("X-Content-Type-Options", "nosniff"),
        ]
        if file.hasSuffix(".html") {
            headers.append(("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'"))
        }
        if request.header("if-none-match") == etag {
            return Response(status: 304, headers: headers)
        }
        guard let data = FileManager.default.contents(atPath: file) else { return nil }
        return Response(status: 200, headers: headers, body: Array(data))
    }
}
