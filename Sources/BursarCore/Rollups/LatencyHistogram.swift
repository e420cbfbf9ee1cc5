/// A mergeable histogram of latencies in milliseconds, with log-spaced buckets.
///
/// Values below 8 ms have a bucket each; above, every power of two is split into eight
/// buckets, so a percentile read from it is within 1/16 (6.25%) of the true value.
/// Stored as sparse pairs (bucket index, LEB128 count) so that rollup rows stay small.
public struct LatencyHistogram: Sendable, Equatable {
    public private(set) var counts: [UInt8: UInt64] = [:]

    public init() {}

    public var total: UInt64 { counts.values.reduce(0, +) }
    public var isEmpty: Bool { counts.isEmpty }

    public mutating func record(_ millis: Int64, count: UInt64 = 1) {
        counts[Self.bucket(of: millis), default: 0] += count
    }

    public mutating func merge(_ other: LatencyHistogram) {
        for (bucket, count) in other.counts { counts[bucket, default: 0] += count }
    }

    /// The bucket's midpoint at quantile `q` (0–1), or nil when empty.
    public func percentile(_ q: Double) -> Int64? {
        let total = self.total
        guard total > 0 else { return nil }
        let rank = max(1, UInt64((q * Double(total)).rounded(.up)))
        var seen: UInt64 = 0
        for bucket in counts.keys.sorted() {
            seen += counts[bucket]!
            if seen >= rank { return Self.midpoint(of: bucket) }
        }
        return nil
    }

    static func bucket(of millis: Int64) -> UInt8 {
        let value = UInt64(max(0, min(millis, 1 << 32)))
        if value < 8 { return UInt8(value) }
        let octave = 63 - value.leadingZeroBitCount
        let sub = (value >> (octave - 3)) & 7
        return UInt8(8 + (octave - 3) * 8 + Int(sub))
    }

    static func lowerBound(of bucket: UInt8) -> Int64 {
        if bucket < 8 { return Int64(bucket) }
        let octave = (Int(bucket) - 8) / 8 + 3
        let sub = Int64((Int(bucket) - 8) % 8)
        return (8 + sub) << (octave - 3)
    }

    static func midpoint(of bucket: UInt8) -> Int64 {
        if bucket < 8 { return Int64(bucket) }
        let low = lowerBound(of: bucket)
        let width = Int64(1) << ((Int(bucket) - 8) / 8)
        return low + width / 2
    }

    // MARK: Storage

    public var encoded: [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(counts.count * 3)
        for bucket in counts.keys.sorted() {
            bytes.append(bucket)
            var count = counts[bucket]!
            repeat {
                let low = UInt8(count & 0x7F)
                count >>= 7
                bytes.append(count == 0 ? low : low | 0x80)
            } while count != 0
        }
        return bytes
    }

    /// Decodes stored bytes; malformed input decodes as far as it is well formed.
    public init(encoded bytes: some Collection<UInt8>) {
        var iterator = bytes.makeIterator()
        while let bucket = iterator.next() {
            var count: UInt64 = 0
            var shift: UInt64 = 0
            while let byte = iterator.next() {
                count |= UInt64(byte & 0x7F) << shift
                shift += 7
                if byte & 0x80 == 0 || shift > 56 { break }
            }
            counts[bucket, default: 0] += count
        }
    }
}
