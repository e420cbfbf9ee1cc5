import Dispatch
import Foundation

/// Waits for SIGTERM or SIGINT (the default handlers are replaced, so the process can drain).
enum ShutdownSignal {
    static func wait() {
        let received = DispatchSemaphore(value: 0)
        let queue = DispatchQueue(label: "bursar.signals")
        var sources: [any DispatchSourceSignal] = []
        for number in [SIGTERM, SIGINT] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { received.signal() }
            source.resume()
            sources.append(source)
        }
        received.wait()
        sources.forEach { $0.cancel() }
    }
}
