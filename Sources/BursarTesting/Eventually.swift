import Foundation

/// Whether `condition` holds within `seconds` (checked every 10 ms): for what a background
/// service does soon after, never for how fast it does it.
public func eventually(within seconds: Double = 10, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try condition() { return true }
        Thread.sleep(forTimeInterval: 0.01)
    }
    return try condition()
}
