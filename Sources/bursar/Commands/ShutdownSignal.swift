import Dispatch
import Foundation

/// SIGTERM and SIGINT, caught (the default handlers are replaced, so the process can drain).
/// Made before the server says it listens: a signal sent the moment it does is not lost (the
/// gap between ignoring a signal and watching for it once swallowed such a SIGTERM).
final class ShutdownSignal {
    private let received = DispatchSemaphore(value: 0)
    private let queue = DispatchQueue(label: "bursar.signals")
    private var sources: [any DispatchSourceSignal] = []

    init() {
        for number in [SIGTERM, SIGINT] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { [received] in received.signal() }
            source.resume()
            sources.append(source)
        }
    }

    /// Returns once a signal has arrived (at any time since `init`).
    func wait() {
        received.wait()
        sources.forEach { $0.cancel() }
    }
}
