import TensorEngine

/// How many rows of a large batch to push through a network at once when each row's activations
/// are kept for a backward pass (Integrated Gradients' steps, SmoothGrad's samples).
///
/// Why: the lessons send every step of every image through the network in one batch, which is
/// fastest for their 28×28 and 32×32 images. A photo through an ImageNet network is another
/// matter: ResNet-50 keeps ~23 M activations per 224×224 image, so 50 IG steps at once would
/// hold ~9 GB. Above `smallBatchValues` input values the batch is split into passes whose
/// activations fit `activationBytes` — captum's `internal_batch_size`, chosen from memory instead
/// of by hand. Below it nothing changes, so every lesson's numbers are the one-batch numbers.
///
/// Cost: one extra forward pass of one row (no gradient) to count the activations, only for
/// batches above `smallBatchValues`.
public enum MemoryBudget {
    /// The activations one pass may keep: 1 GiB (values and, in the backward pass, their gradients).
    /// (Task-local so that a test can shrink it and see the passes.)
    @TaskLocal public static var activationBytes = 1 << 30
    /// Batches with at most this many input values (16 MB) always run in one pass.
    @TaskLocal public static var smallBatchValues = 4 << 20

    /// The rows per pass for `batch` (`[R, …]`, its rows the network's inputs): all of them for a
    /// small batch, else as many as fit `activationBytes` (at least one).
    public static func rowsPerPass(of model: Module, batch: Tensor) throws -> Int {
        let rows = batch.shape.first ?? 0
        guard batch.count > smallBatchValues, rows > 1 else { return rows }
        let perRow = try activationValues(of: model, row: batch.sliced(axis: 0, 0..<1))
        let bytesPerRow = max(1, perRow * MemoryLayout<Float>.size * 2)
        return max(1, min(rows, activationBytes / bytesPerRow))
    }

    /// The values every leaf module outputs for one row (a module run twice counts twice): what
    /// a backward pass keeps, give or take the ops between modules (a residual sum).
    public static func activationValues(of model: Module, row: Tensor) throws -> Int {
        var total = 0
        let handles = model.namedModules().filter { $0.module.children.isEmpty }.map { _, module in
            module.registerForwardHook { _, _, output in total += output.count }
        }
        defer { handles.forEach { $0.remove() } }
        _ = try withNoGrad { try model(row) }
        return total
    }
}
