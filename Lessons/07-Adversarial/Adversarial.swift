// Lesson 07-Adversarial — placeholder; the lesson's stubs are being written.
import LessonSupport
import TensorEngine
