/// What every stub throws until the student writes it. The grader reports such an exercise as
/// *not started* (the test is skipped with a pointer to the stub and the README), never as a crash.
public struct ExerciseNotStarted: Error, CustomStringConvertible, Sendable {
    /// The exercise number, e.g. `"2.3"`.
    public let exercise: String
    /// The stub's name, e.g. `smoothGrad(of:images:targets:samples:noiseLevel:seed:)`.
    public let function: String
    /// The file to edit.
    public let file: String

    public init(exercise: String, function: String, file: String) {
        self.exercise = exercise; self.function = function; self.file = file
    }

    public var description: String {
        "not started: Exercise \(exercise) — write \(function) in \(Self.relative(file))"
    }

    /// `file` relative to the repository (`Lessons/02-Saliency/Saliency.swift`).
    static func relative(_ path: String) -> String {
        if let range = path.range(of: "/Lessons/") { return "Lessons/" + path[range.upperBound...] }
        if let range = path.range(of: "/Solutions/") { return "Solutions/" + path[range.upperBound...] }
        return path
    }
}

/// Use in a stub: `throw notStarted("2.3")`.
public func notStarted(_ exercise: String, function: String = #function, file: String = #filePath) -> ExerciseNotStarted {
    ExerciseNotStarted(exercise: exercise, function: function, file: file)
}
