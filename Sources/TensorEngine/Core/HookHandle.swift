import Foundation

/// What every hook registration returns. Calling `remove()` unregisters the hook; removing twice
/// is harmless. Keep the handle: a hook that is never removed keeps firing on every later call.
public final class HookHandle {
    /// A process-wide unique number for the hook.
    public let id: Int
    private var removal: (() -> Void)?

    init(id: Int, removal: @escaping () -> Void) {
        self.id = id
        self.removal = removal
    }

    /// Unregisters the hook.
    public func remove() {
        removal?()
        removal = nil
    }

    private static let lock = NSLock()
    nonisolated(unsafe) private static var counter = 0
    static func nextIdentifier() -> Int {
        lock.lock(); defer { lock.unlock() }
        counter += 1
        return counter
    }
}

extension Array where Element == HookHandle {
    /// Removes every hook in the list, e.g. in a `defer` after registering several.
    public func removeAll() { forEach { $0.remove() } }
}
