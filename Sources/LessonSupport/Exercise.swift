/// The one declaration of an exercise.
///
/// Each lesson declares its exercises once, in `Solutions/NN-Topic/Exercises.swift`:
///
///     public static let gradient = Exercise(
///         "1.2", "The gradient at a hidden layer", stub: "gradient(of:at:for:targets:)",
///         reference: HooksSolutions.gradient(of:at:for:targets:),
///         mistakes: Gradient.allCases, wrong: HooksMistakes.gradient)
///
/// Everything else follows from it: the graders ask it which implementation to run
/// (`graded(student:)`), the scoreboard and `workbook grade` read its number and title, and
/// `workbook verify` runs each of its mistakes. The student's stub is the only other place that
/// names the exercise (`throw notStarted("1.2")`), and a test checks the two agree.
///
/// `Function` is the exercise's function type, e.g.
/// `@Sendable (Module, String, Tensor, [Int]) throws -> Tensor`: the reference, every catalogued
/// mistake and the student's stub all have it, so the compiler checks that they agree.
public struct Exercise<Function: Sendable>: Sendable {
    /// `"1.2"`, `"2.5a"`.
    public let number: String
    public let title: String
    /// The stub's name as the student sees it, e.g. `gradient(of:at:for:targets:)`.
    public let stub: String
    public let reference: Function
    /// The catalogued mistakes: typed ids, their summaries and wrong implementations.
    public let mistakes: [Mistake]
    /// Correct implementations written differently from the reference (`Solutions/NN-Topic/
    /// Variants.swift`): `workbook verify` proves every test passes each of them, so the graders
    /// check what the exercise asks, not how the reference happens to compute it.
    public private(set) var variants: [Mistake] = []

    /// A catalogued implementation: a mistake, or a correct variant.
    public struct Mistake: Sendable {
        public let id: String
        public let summary: String
        public let implementation: Function

        public init(id: String, summary: String, implementation: Function) {
            self.id = id; self.summary = summary; self.implementation = implementation
        }
    }

    /// The exercise with its correct-but-different implementations catalogued.
    public func with(variants: [Mistake]) -> Exercise {
        var copy = self
        copy.variants = variants
        return copy
    }

    /// Declares an exercise whose mistakes are the cases of `M` (one enum per exercise, so a
    /// mistake implementation switches over them exhaustively: no `default:` can run another one).
    public init<M: MistakeKind>(_ number: String, _ title: String, stub: String, reference: Function,
                                mistakes: [M], wrong: @escaping @Sendable (M) -> Function) {
        self.number = number; self.title = title; self.stub = stub; self.reference = reference
        self.mistakes = mistakes.map { Mistake(id: $0.rawValue, summary: $0.summary, implementation: wrong($0)) }
    }

    /// What the tests grade in the current `WorkbookMode`: the student's function, the reference,
    /// or — for this exercise only — a catalogued mistake. Every other exercise runs the reference
    /// in mistake mode, so a mistake is seen by its own exercise's tests first.
    ///
    /// - Throws: `UnknownMistake` when `WORKBOOK_MISTAKE` names this exercise with an id that is
    ///   not in its catalogue (never another mistake in its place).
    public func graded(student: Function) throws -> Function {
        switch WorkbookMode.current {
        case .student: return student
        case .solutions: return reference
        case let .mistake(exercise, id):
            guard exercise == number else { return reference }
            guard let mistake = mistakes.first(where: { $0.id == id }) else {
                throw UnknownMistake(exercise: number, id: id, known: mistakes.map(\.id))
            }
            return mistake.implementation
        case let .variant(exercise, id):
            guard exercise == number else { return reference }
            guard let variant = variants.first(where: { $0.id == id }) else {
                throw UnknownMistake(exercise: number, id: id, known: variants.map(\.id), kind: "variant")
            }
            return variant.implementation
        }
    }

    /// The exercise without its functions: what listings, scoreboards and reports need.
    public var summary: ExerciseSummary {
        ExerciseSummary(number: number, title: title, stub: stub, mistakes: mistakes.map { ($0.id, $0.summary) },
                        variants: variants.map { ($0.id, $0.summary) })
    }
}

/// The mistakes of one exercise, as an enum whose raw values are the ids
/// (`WORKBOOK_MISTAKE=1.2/sums-all-logits`).
public protocol MistakeKind: RawRepresentable<String>, CaseIterable, Sendable {
    /// One line: what the wrong implementation does.
    var summary: String { get }
}

/// An exercise's number, title, stub and mistakes, without its functions.
public struct ExerciseSummary: Sendable {
    public let number: String
    public let title: String
    public let stub: String
    public let mistakes: [(id: String, summary: String)]
    /// The correct-but-different implementations (`Exercise.variants`).
    public let variants: [(id: String, summary: String)]

    public init(number: String, title: String, stub: String, mistakes: [(id: String, summary: String)],
                variants: [(id: String, summary: String)] = []) {
        self.number = number; self.title = title; self.stub = stub; self.mistakes = mistakes; self.variants = variants
    }

    /// The lesson number: `"2.5a"` → 2.
    public var lesson: Int { Int(number.prefix { $0 != "." }) ?? 0 }
}

/// A lesson as the command line, the graders and the scoreboard see it.
public struct LessonDeclaration: Sendable {
    public let number: Int
    /// `01-Hooks`: the folders `Lessons/01-Hooks` and `Solutions/01-Hooks`.
    public let folder: String
    public let title: String
    public let exercises: [ExerciseSummary]

    public init(number: Int, folder: String, title: String, exercises: [ExerciseSummary]) {
        self.number = number; self.folder = folder; self.title = title; self.exercises = exercises
    }

    /// The same lesson with other summaries of its exercises (the full edition's, which list the
    /// correct variants bound in `Solutions/`).
    public func with(exercises: [ExerciseSummary]) -> LessonDeclaration {
        LessonDeclaration(number: number, folder: folder, title: title, exercises: exercises)
    }

    /// `Hooks`, from `01-Hooks`: the modules are `HooksLesson` and `HooksSolutions`, the tests
    /// `HooksLessonTests`.
    public var topic: String { String(folder.drop { $0 != "-" }.dropFirst()) }
    public var testTarget: String { "\(topic)LessonTests" }
    public var readme: String { "Lessons/\(folder)/README.md" }
}

/// `WORKBOOK_MISTAKE` (or `WORKBOOK_VARIANT`) names a mistake (variant) its exercise does not catalogue.
public struct UnknownMistake: Error, CustomStringConvertible, Sendable {
    public let exercise: String, id: String, known: [String], kind: String
    public init(exercise: String, id: String, known: [String], kind: String = "mistake") {
        self.exercise = exercise; self.id = id; self.known = known; self.kind = kind
    }
    public var description: String {
        "WORKBOOK_\(kind.uppercased())=\(exercise)/\(id): exercise \(exercise) catalogues no \(kind) '\(id)' (known: \(known.joined(separator: ", ")))"
    }
}
