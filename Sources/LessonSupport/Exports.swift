// Lessons import LessonSupport, so what they need comes with it: Foundation's maths (`cos`,
// `exp`, `log`, …) compiles in a stub without the student discovering `import Foundation`.
@_exported import Foundation
