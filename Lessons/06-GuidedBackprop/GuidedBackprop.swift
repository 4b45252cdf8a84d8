// Lesson 06-GuidedBackprop — placeholder; the lesson's stubs are being written.
import LessonSupport
import TensorEngine
