import Foundation
import Testing

/// The suites a student's `swift test` does not need: the command line end to end, the model zoo
/// (data sets, model files, training), their fuzzers and the browser tests. They take ~30 s warm
/// on the 2-core machine, the lessons' graders ~1 s, so a plain `swift test` skips them and stays a
/// quick edit → result loop.
///
/// They run when `WORKBOOK_ALL_TESTS=1` is set (a maintainer's `WORKBOOK_ALL_TESTS=1 swift test`)
/// or when `CI` is set (as `.ci/run` is run), so CI still runs every test.
public enum MaintainerSuites {
    public static let enabled: Bool = {
        let environment = ProcessInfo.processInfo.environment
        func on(_ name: String) -> Bool {
            guard let value = environment[name]?.lowercased(), !value.isEmpty else { return false }
            return value != "0" && value != "false" && value != "no"
        }
        return on("WORKBOOK_ALL_TESTS") || on("CI")
    }()
}

extension Trait where Self == ConditionTrait {
    /// A suite only maintainers and CI run (see `MaintainerSuites`).
    public static var maintainers: Self {
        .enabled(if: MaintainerSuites.enabled, "a maintainer suite: WORKBOOK_ALL_TESTS=1 swift test runs it (CI does)")
    }
}
