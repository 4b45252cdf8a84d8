// Lesson 05-GradCAM — placeholder; the lesson's stubs are being written.
import LessonSupport
import TensorEngine
