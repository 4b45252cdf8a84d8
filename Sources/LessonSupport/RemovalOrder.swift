// Lesson 10's ROAD exercise (10.6b) takes the removal order as an argument; it lives here so the
// lesson's stub and the reference name the same type.

/// Which pixels ROAD removes first.
public enum RemovalOrder: String, Sendable, CaseIterable {
    /// MoRF: at percentile p, the pixels whose attribution is ≥ the p-th percentile (the top
    /// 100 − p %): a faithful map makes the probability fall.
    case mostRelevantFirst = "MoRF"
    /// LeRF: the same on 1 − attribution (the bottom 100 − p %): a faithful map keeps it up.
    case leastRelevantFirst = "LeRF"
}
