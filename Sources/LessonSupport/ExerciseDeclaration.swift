/// What an exercise is, without its answer: number, title, the stub it grades and the mistakes
/// its graders catalogue (ids and summaries, the cases of `Mistake`). Each lesson declares its
/// exercises once, in `Sources/Course/Lessons/NN-Topic.swift`, a file both editions have.
///
/// The full edition binds each declaration to its reference, its mistakes' code and its correct
/// variants in `Solutions/NN-Topic/Exercises.swift` (`bound(reference:wrong:)`, an `Exercise`).
/// The student edition, which has no `Solutions/`, grades the declaration itself: the student's
/// function, with the reference's answers read from the recorded references.
public struct ExerciseDeclaration<Function: Sendable, Mistake: MistakeKind>: Sendable {
    /// `"1.2"`, `"2.5a"`.
    public let number: String
    public let title: String
    /// The stub's name as the student sees it, e.g. `gradient(of:at:for:targets:)`.
    public let stub: String

    public init(_ number: String, _ title: String, stub: String) {
        self.number = number; self.title = title; self.stub = stub
    }

    /// The exercise with its reference and the code of each catalogued mistake.
    public func bound(reference: Function, wrong: @escaping @Sendable (Mistake) -> Function) -> Exercise<Function> {
        Exercise(number, title, stub: stub, reference: reference, mistakes: Array(Mistake.allCases), wrong: wrong)
    }

    /// What the tests grade where there is no reference (the student edition): the student's
    /// function. Solutions, mistake and variant modes need the full edition.
    ///
    /// - Throws: `ReferenceUnavailable` in any mode but the student's.
    public func graded(student: Function) throws -> Function {
        guard WorkbookMode.current == .student else { throw ReferenceUnavailable(mode: WorkbookMode.current, exercise: number) }
        return student
    }

    public var summary: ExerciseSummary {
        ExerciseSummary(number: number, title: title, stub: stub, mistakes: Mistake.allCases.map { ($0.rawValue, $0.summary) })
    }
}

/// `WORKBOOK_SOLUTIONS`, `WORKBOOK_MISTAKE` or `WORKBOOK_VARIANT` in an edition without `Solutions/`.
public struct ReferenceUnavailable: Error, CustomStringConvertible, Sendable {
    public let mode: WorkbookMode, exercise: String
    public var description: String {
        "exercise \(exercise): this edition has no Solutions/, so it grades your code only (\(mode) needs the full edition); unset WORKBOOK_SOLUTIONS, WORKBOOK_MISTAKE and WORKBOOK_VARIANT"
    }
}
