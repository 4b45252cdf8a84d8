import GradingWire

/// Every exercise the runner serves, by key (`"01/activations(of:at:for:)"`: the lesson and the
/// name of the graders' forwarder in `Tests/<Topic>LessonTests/Implementations.swift`, which
/// sends the same key). One file per lesson adds its entries.
enum RunnerTable {
    static let entries: [String: RunnerEntry] = {
        var all: [String: RunnerEntry] = [:]
        for lesson in [diagnostics, hooks, saliency, occlusion, cAM, gradCAM, guidedBackprop, adversarial, featureVisualization,
                       embeddings, evaluation, autoencoders] {
            all.merge(lesson) { first, _ in first }
        }
        return all
    }()
}
