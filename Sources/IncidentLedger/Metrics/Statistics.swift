/// Summary statistics of a sample of durations, honest about heavy tails: the
/// median and high percentiles beside the mean.
public struct Summary: Equatable, Sendable {
    /// How many values.
    public var count: Int
    /// Their arithmetic mean; nil when there are none.
    public var mean: Double?
    /// The median.
    public var p50: Double?
    /// The 90th percentile.
    public var p90: Double?
    /// The 95th percentile.
    public var p95: Double?
    /// The largest value.
    public var max: Double?

    /// Summarises `values`.
    /// - Parameter values: The sample, in any order.
    /// - Complexity: O(n log n) to sort.
    public init(_ values: [Double]) {
        let sorted = Statistics.sortedAscending(values)
        count = sorted.count
        guard !sorted.isEmpty else { return }
        mean = Statistics.mean(sorted)
        p50 = Statistics.percentile(sorted: sorted, 0.5)
        p90 = Statistics.percentile(sorted: sorted, 0.9)
        p95 = Statistics.percentile(sorted: sorted, 0.95)
        max = sorted.last
    }
}

/// Percentiles, means and bootstrap intervals.
public enum Statistics {
    /// `values` in ascending order: a least-significant-digit radix sort of their
    /// bit patterns for large samples (a duration report sorts every incident), the
    /// standard sort for small ones. Equal to `values.sorted()` for values that are
    /// not NaN, except that -0.0 sorts before 0.0.
    /// - Complexity: O(n) for n of 512 or more, O(n log n) below.
    public static func sortedAscending(_ values: [Double]) -> [Double] {
        guard values.count >= 512 else { return values.sorted() }

        // Ordered keys: positive numbers with the sign bit set, negative ones inverted.
        var keys = values.map { value -> UInt64 in
            let bits = value.bitPattern
            return bits & (1 << 63) == 0 ? bits | (1 << 63) : ~bits
        }
        var scratch = keys
        var counts = [Int](repeating: 0, count: 8 * 256)
        counts.withUnsafeMutableBufferPointer { counts in
            for key in keys {
                for digit in 0..<8 {
                    counts[digit &* 256 &+ Int((key &>> (8 &* UInt64(digit))) & 0xFF)] &+= 1
                }
            }
            for digit in 0..<8 {
                let base = digit * 256
                let shift = 8 * UInt64(digit)
                // A digit that every key shares moves nothing.
                if counts[base + Int((keys[0] >> shift) & 0xFF)] == keys.count { continue }
                var next = 0
                for bucket in 0..<256 {
                    let count = counts[base + bucket]
                    counts[base + bucket] = next
                    next += count
                }
                keys.withUnsafeBufferPointer { source in
                    scratch.withUnsafeMutableBufferPointer { target in
                        for key in source {
                            let bucket = base &+ Int((key &>> shift) & 0xFF)
                            target[counts[bucket]] = key
                            counts[bucket] &+= 1
                        }
                    }
                }
                swap(&keys, &scratch)
            }
        }
        return keys.map { key in
            Double(bitPattern: key & (1 << 63) != 0 ? key & ~(1 << 63) : ~key)
        }
    }

    /// The percentile `p` of sorted values by linear interpolation between closest
    /// ranks (R-7, numpy's default): h = (n - 1) p, value = x[floor h] +
    /// (h - floor h)(x[floor h + 1] - x[floor h]).
    /// - Parameters:
    ///   - sorted: The values in ascending order; not empty.
    ///   - p: The fraction, 0 to 1.
    /// - Returns: The percentile, or nil for no values.
    /// - Complexity: O(1).
    public static func percentile(sorted: [Double], _ p: Double) -> Double? {
        guard let first = sorted.first else { return nil }
        guard sorted.count > 1 else { return first }
        let h = Double(sorted.count - 1) * Swift.min(Swift.max(p, 0), 1)
        let low = Int(h.rounded(.down))
        guard low + 1 < sorted.count else { return sorted[low] }
        return sorted[low] + (h - Double(low)) * (sorted[low + 1] - sorted[low])
    }

    /// The arithmetic mean, summed in a compensated way so that many values lose
    /// no precision (Neumaier's variant of Kahan summation).
    /// - Complexity: O(n).
    public static func mean(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        var sum = 0.0
        var compensation = 0.0
        for value in values {
            let total = sum + value
            if abs(sum) >= abs(value) {
                compensation += (sum - total) + value
            } else {
                compensation += (value - total) + sum
            }
            sum = total
        }
        return (sum + compensation) / Double(values.count)
    }

    /// A 95% bootstrap confidence interval of the median: the 2.5th and 97.5th
    /// percentiles of the medians of `resamples` resamples drawn with
    /// replacement, by a generator seeded with `seed` so that the same values always
    /// give the same interval.
    /// - Parameters:
    ///   - values: The sample.
    ///   - resamples: How many resamples (default 2,000).
    ///   - seed: The generator's seed.
    /// - Returns: The interval, or nil for no values.
    /// - Complexity: O(resamples × n), after one sort.
    public static func medianInterval(
        _ values: [Double], resamples: Int = 2000, seed: UInt64 = 0x1_ED6E_5EED
    ) -> (low: Double, high: Double)? {
        guard !values.isEmpty else { return nil }
        let sorted = sortedAscending(values)
        let n = sorted.count
        var generator = SplitMix64(seed: seed)
        var medians: [Double] = []
        medians.reserveCapacity(resamples)
        // A resample drawn from sorted values is known by how often each is drawn;
        // its median is then found by walking those counts, with no sort.
        var counts = [Int](repeating: 0, count: n)
        let h = Double(n - 1) * 0.5
        let low = Int(h.rounded(.down))
        let fraction = h - Double(low)
        for _ in 0..<resamples {
            for index in counts.indices { counts[index] = 0 }
            for _ in 0..<n { counts[Int(generator.next() % UInt64(n))] += 1 }
            var seen = 0
            var lowValue = sorted[n - 1]
            var highValue = sorted[n - 1]
            var foundLow = false
            for (index, count) in counts.enumerated() where count > 0 {
                seen += count
                if !foundLow, seen > low {
                    lowValue = sorted[index]
                    foundLow = true
                }
                if seen > low + 1 {
                    highValue = sorted[index]
                    break
                }
            }
            medians.append(low + 1 < n ? lowValue + fraction * (highValue - lowValue) : lowValue)
        }
        medians.sort()
        guard let lowBound = percentile(sorted: medians, 0.025),
            let highBound = percentile(sorted: medians, 0.975)
        else { return nil }
        return (lowBound, highBound)
    }
}

/// A small, fast, seedable generator (SplitMix64), so that bootstrap intervals
/// are the same on every run and every machine.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// A generator starting from `seed`.
    public init(seed: UInt64) {
        state = seed
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
