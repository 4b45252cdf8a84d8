import Foundation

/// With `PYTORCH_AGREEMENT_VERBOSE=1`, prints the largest difference of a comparison with a
/// library fixture (PyTorch, captum, pytorch-grad-cam) and the largest expected magnitude, so the
/// numbers quoted in the docs can be re-measured. Prints nothing otherwise.
public func reportAgreement(_ what: String, _ received: [Float], _ expected: [Float]) {
    guard ProcessInfo.processInfo.environment["PYTORCH_AGREEMENT_VERBOSE"] != nil else { return }
    print("\(what): max |difference| \(maxAbsoluteDifference(received, expected)), largest value \(expected.map { Swift.abs($0) }.max() ?? 0)")
}
