/// A mergeable histogram of latencies in milliseconds, with log-spaced buckets.
///
/// Values below 8 ms have a bucket each; above, every power of two is split into eight
/// buckets, so a percentile read from it is within 1/16 (6.25%) of the true value.
/// Stored as sparse pairs (bucket index, LEB128 count), sorted by bucket, so that rollup
/// rows stay small and two stored histograms merge without decoding into memory.
public struct LatencyHistogram: Sendable, Equatable {
    /// Non-empty buckets, sorted by bucket index.
    public private(set) var entries: [(bucket: UInt8, count: UInt64)] = []

    public init() {}

    public static func == (lhs: LatencyHistogram, rhs: LatencyHistogram) -> Bool {
        lhs.entries.elementsEqual(rhs.entries) { $0.bucket == $1.bucket && $0.count == $1.count }
    }

    /// A histogram from 256 dense counters, one per bucket.
    public init(counters: [UInt64]) {
        for (bucket, count) in counters.enumerated() where count > 0 { entries.append((UInt8(bucket), count)) }
    }

    public var total: UInt64 { entries.reduce(0) { Self.sum($0, $1.count) } }
    public var isEmpty: Bool { entries.isEmpty }

    public mutating func record(_ millis: Int64, count: UInt64 = 1) {
        add(bucket: Self.bucket(of: millis), count: count)
    }

    mutating func add(bucket: UInt8, count: UInt64) {
        var low = 0
        var high = entries.count
        while low < high {
            let middle = (low + high) / 2
            if entries[middle].bucket < bucket { low = middle + 1 } else { high = middle }
        }
        if low < entries.count, entries[low].bucket == bucket {
            entries[low].count = Self.sum(entries[low].count, count)
        } else {
            entries.insert((bucket, count), at: low)
        }
    }

    public mutating func merge(_ other: LatencyHistogram) {
        guard !other.entries.isEmpty else { return }
        guard !entries.isEmpty else {
            entries = other.entries
            return
        }
        var merged: [(bucket: UInt8, count: UInt64)] = []
        merged.reserveCapacity(entries.count + other.entries.count)
        var i = 0
        var j = 0
        while i < entries.count || j < other.entries.count {
            if j == other.entries.count || (i < entries.count && entries[i].bucket < other.entries[j].bucket) {
                merged.append(entries[i]); i += 1
            } else if i == entries.count || other.entries[j].bucket < entries[i].bucket {
                merged.append(other.entries[j]); j += 1
            } else {
                merged.append((entries[i].bucket, Self.sum(entries[i].count, other.entries[j].count))); i += 1; j += 1
            }
        }
        entries = merged
    }

    /// The bucket's midpoint at quantile `q` (0–1), or nil when empty.
    public func percentile(_ q: Double) -> Int64? {
        let total = self.total
        guard total > 0 else { return nil }
        let rank = max(1, UInt64((q * Double(total)).rounded(.up)))
        var seen: UInt64 = 0
        for entry in entries {
            seen += entry.count
            if seen >= rank { return Self.midpoint(of: entry.bucket) }
        }
        return nil
    }

    /// Counts add without wrapping. A bucket's count never exceeds its rows' request count,
    /// which is itself a checked sum, so the cap is never reached by data Bursar stored.
    static func sum(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let (sum, overflow) = a.addingReportingOverflow(b)
        return overflow ? .max : sum
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
        bytes.reserveCapacity(entries.count * 3)
        for entry in entries {
            bytes.append(entry.bucket)
            Self.appendVarint(entry.count, to: &bytes)
        }
        return bytes
    }

    /// Decodes stored bytes; malformed input decodes as far as it is well formed.
    public init(encoded bytes: some Collection<UInt8>) {
        Array(bytes).withUnsafeBytes { add(encoded: $0) }
    }

    /// Adds the counts of an encoded histogram.
    public mutating func add(encoded bytes: UnsafeRawBufferPointer) {
        var reader = RawReader(bytes: bytes)
        while let (bucket, count) = reader.next() { add(bucket: bucket, count: count) }
    }

    /// Merges two encoded histograms straight into encoded form (the SQL functions use this).
    public static func mergeEncoded(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer, into output: inout [UInt8]) {
        var left = RawReader(bytes: a)
        var right = RawReader(bytes: b)
        var x = left.next()
        var y = right.next()
        while x != nil || y != nil {
            // The smaller bucket goes first; equal buckets are summed.
            let takeLeft = x.map { l in y.map { l.bucket <= $0.bucket } ?? true } ?? false
            let takeRight = y.map { r in x.map { r.bucket <= $0.bucket } ?? true } ?? false
            var bucket: UInt8 = 0
            var count: UInt64 = 0
            if takeLeft, let l = x { bucket = l.bucket; count = sum(count, l.count); x = left.next() }
            if takeRight, let r = y { bucket = r.bucket; count = sum(count, r.count); y = right.next() }
            output.append(bucket)
            appendVarint(count, to: &output)
        }
    }

    static func appendVarint(_ value: UInt64, to bytes: inout [UInt8]) {
        var count = value
        repeat {
            let low = UInt8(count & 0x7F)
            count >>= 7
            bytes.append(count == 0 ? low : low | 0x80)
        } while count != 0
    }

    struct RawReader {
        var bytes: UnsafeRawBufferPointer
        var index = 0

        mutating func next() -> (bucket: UInt8, count: UInt64)? {
            guard index < bytes.count else { return nil }
            let bucket = bytes[index]
            index += 1
            var count: UInt64 = 0
            var shift: UInt64 = 0
            while index < bytes.count {
                let byte = bytes[index]
                index += 1
                if shift < 64 { count |= UInt64(byte & 0x7F) << shift }
                shift += 7
                if byte & 0x80 == 0 { break }
            }
            return (bucket, count)
        }
    }
}
