import BursarCore
import Foundation
import GRDB

/// SQL functions over stored latency histograms.
enum LatencyFunctions {
    /// `bursar_latency_merge(a, b)`: the sum of two histograms (used by rollup upserts).
    static let merge = DatabaseFunction("bursar_latency_merge", argumentCount: 2, pure: true) { values in
        var histogram = LatencyHistogram(encoded: bytes(values[0]))
        histogram.merge(LatencyHistogram(encoded: bytes(values[1])))
        return Data(histogram.encoded)
    }

    /// `bursar_latency(blob)`: the sum of a column of histograms (used by GROUP BY queries).
    static let sum = DatabaseFunction("bursar_latency", argumentCount: 1, pure: true, aggregate: Sum.self)

    struct Sum: DatabaseAggregate {
        var histogram = LatencyHistogram()

        init() {}

        mutating func step(_ values: [DatabaseValue]) {
            histogram.merge(LatencyHistogram(encoded: LatencyFunctions.bytes(values[0])))
        }

        func finalize() -> (any DatabaseValueConvertible)? {
            Data(histogram.encoded)
        }
    }

    static func bytes(_ value: DatabaseValue) -> [UInt8] {
        guard case .blob(let data) = value.storage else { return [] }
        return Array(data)
    }
}
