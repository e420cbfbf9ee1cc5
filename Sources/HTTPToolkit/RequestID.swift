/// A random id for each request, on its access-log line and every line logged for it, and
/// in an error answer that refers to them (`X-Request-Id`).
public enum RequestID {
    public static func make() -> String {
        String(UInt64.random(in: 0...UInt64.max), radix: 16)
    }
}
