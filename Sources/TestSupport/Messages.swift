import Testing

// Short failure messages: a few values, the count of differences and the first one — never
// whole arrays (a failing line stays a line).

/// At most `limit` values, then how many there are: `[0.1, 0.2, … (784 values)]`.
public func brief<T>(_ values: [T], limit: Int = 8) -> String {
    values.count <= limit ? "\(values)" : "[" + values.prefix(limit).map { "\($0)" }.joined(separator: ", ") + ", … (\(values.count) values)]"
}

/// `nil` when `received` has the count of `expected` and every value is within `tolerance`;
/// otherwise one line: "2 of 9 values differ; the first at index 4: received 80, expected 20".
public func firstDifference<T: BinaryFloatingPoint>(_ received: [T], _ expected: [T], tolerance: T = 1e-6, name: String = "value") -> String? {
    guard received.count == expected.count else { return "received \(received.count) \(name)s, expected \(expected.count)" }
    let differing = received.indices.filter { !(Swift.abs(received[$0] - expected[$0]) <= tolerance) }
    guard let first = differing.first else { return nil }
    return "\(differing.count) of \(expected.count) \(name)s differ; the first at index \(first): received \(received[first]), expected \(expected[first])"
}

/// `firstDifference`, or "all N values match" (for messages that always show it).
public func describeDifference<T: BinaryFloatingPoint>(_ received: [T], _ expected: [T], tolerance: T) -> String {
    firstDifference(received, expected, tolerance: tolerance) ?? "all \(expected.count) values match"
}

/// Whether two arrays agree within `tolerance` (false if their counts differ).
public func agree<T: BinaryFloatingPoint>(_ a: [T], _ b: [T], tolerance: T = 1e-6) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { Swift.abs($0 - $1) <= tolerance }
}

/// The failures of a loop of checks: records the first `limit` of them, then one issue counting
/// the rest (`finish(_:)`), so a wrong answer does not flood the report.
public struct LimitedIssues {
    public let limit: Int
    public private(set) var failures = 0
    public init(limit: Int = 3) { self.limit = limit }

    public mutating func expect(_ condition: Bool, _ message: @autoclosure () -> String, sourceLocation: SourceLocation = #_sourceLocation) {
        guard !condition else { return }
        failures += 1
        if failures <= limit { Issue.record(Comment(rawValue: message()), sourceLocation: sourceLocation) }
    }

    public func finish(_ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        if failures > limit {
            Issue.record(Comment(rawValue: "\(failures) \(what) failed in all; the first \(limit) are reported above"), sourceLocation: sourceLocation)
        }
    }
}
