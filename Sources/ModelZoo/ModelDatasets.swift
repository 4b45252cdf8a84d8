import DataFormats
import Foundation

extension ModelFile {
    /// The data set a model file belongs to, by the name it records in `__metadata__["dataset"]`
    /// (`workbook train` writes it): `mnist`, `fashion-mnist`, `colour-demo`, or `cifar-10`, which
    /// is read from `dataFolder` (the user's copy; it cannot ship). A file without the entry (every
    /// file written before it existed) falls back to the rule by class names (`dataset(for:split:)`),
    /// with CIFAR-10's class names meaning CIFAR-10.
    /// - Throws: `ModelZooError.dataset` for an unknown name, or CIFAR-10 without `dataFolder`.
    public static func dataset(for loaded: Loaded, split: DatasetFiles.Split, dataFolder: URL? = nil) throws -> LabeledImages {
        try dataset(named: loaded.metadata["dataset"] ?? DatasetFiles.datasetName(for: loaded.architecture), split: split,
                    dataFolder: dataFolder, model: loaded.architecture.name)
    }

    /// The data set called `name` (see `dataset(for:split:dataFolder:)`); `model` names the model in errors.
    public static func dataset(named name: String, split: DatasetFiles.Split, dataFolder: URL?, model: String) throws -> LabeledImages {
        if dataFolder != nil && name != "cifar-10" {
            throw ModelZooError.dataset("--data is for CIFAR-10 models; \(model) uses the shipped data set '\(name)'")
        }
        switch name {
        case "mnist": return try DatasetFiles.mnist(split)
        case "fashion-mnist": return try DatasetFiles.fashionMNIST(split)
        case ColourDemo.datasetName: return try ColourDemo.images()
        case "cifar-10":
            guard let dataFolder else {
                throw ModelZooError.dataset("\(model) is a CIFAR-10 model: give --data DIR, the folder holding cifar-10-batches-bin (see Datasets/README.md)")
            }
            return try CIFAR10Files.load(from: dataFolder, split: split)
        default:
            throw ModelZooError.dataset("\(model) records the data set '\(name)', which this version does not know (known: mnist, fashion-mnist, cifar-10, colour-demo)")
        }
    }
}

extension DatasetFiles {
    /// The name a model file records in `__metadata__["dataset"]` for a catalogued architecture.
    public static func datasetName(for architecture: ModelArchitecture) -> String {
        if architecture.classNames == CIFAR10Batch.classNames && architecture.inputShape == [3, 32, 32] { return "cifar-10" }
        return architecture.classNames == Catalog.fashionNames ? "fashion-mnist" : "mnist"
    }
}
