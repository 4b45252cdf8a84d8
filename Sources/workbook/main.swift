import Foundation
import WorkbookCLI

// `workbook`: the course's command line. Everything lives in the WorkbookCLI library, so the
// tests can run the same entry point in-process.
Workbook.watchTerminationSignals()
Workbook.superviseRuns()
exit(Workbook.run(Array(CommandLine.arguments.dropFirst())))
