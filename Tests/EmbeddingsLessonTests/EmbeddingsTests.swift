import EmbeddingsSolutions
import Foundation
import LessonSupport
import Testing
import TensorEngine
import TestSupport

@Suite("Lesson 09 — Embeddings", .graded(Exercises.lesson))
struct EmbeddingsTests {
}
