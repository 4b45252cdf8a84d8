import DataFormats
import Foundation

extension ModelFile {
    /// The data set a model file belongs to, by the name it records in `__metadata__["dataset"]`
    /// (`workbook train` writes it): one of `DatasetFiles.datasetNames`, `colour-demo`, or
    /// `cifar-10`, which is read from `dataFolder` (the user's copy; it cannot ship). A file without
    /// the entry (every file written before it existed) falls back to `Catalog.datasetName(of:)`.
    /// - Throws: `ModelZooError.dataset` for an unknown name, or CIFAR-10 without `dataFolder`.
    public static func dataset(for loaded: Loaded, split: DatasetFiles.Split, dataFolder: URL? = nil) throws -> LabeledImages {
        try dataset(named: datasetName(for: loaded.architecture, metadata: loaded.metadata), split: split,
                    dataFolder: dataFolder, model: loaded.architecture.name)
    }

    /// The data set called `name` (see `dataset(for:split:dataFolder:)`); `model` names the model in errors.
    public static func dataset(named name: String, split: DatasetFiles.Split, dataFolder: URL?, model: String) throws -> LabeledImages {
        if dataFolder != nil && name != "cifar-10" {
            throw ModelZooError.dataset("--data is for CIFAR-10 models; \(model) uses the shipped data set '\(name)'")
        }
        switch name {
        case ColourDemo.datasetName: return try ColourDemo.images()
        case "imagenet":
            throw ModelZooError.dataset("\(model) is an ImageNet model and no ImageNet images ship with the workbook: give your own picture with --image FILE")
        case "cifar-10":
            guard let dataFolder else {
                throw ModelZooError.dataset("\(model) is a CIFAR-10 model: give --data DIR, the folder holding cifar-10-batches-bin (see Datasets/README.md)")
            }
            return try CIFAR10Files.load(from: dataFolder, split: split)
        default:
            guard DatasetFiles.datasetNames.contains(name) else {
                throw ModelZooError.dataset("\(model) records the data set '\(name)', which this version does not know (known: \((DatasetFiles.datasetNames + ["cifar-10", ColourDemo.datasetName]).joined(separator: ", ")))")
            }
            return try DatasetFiles.named(name, split: split)
        }
    }
}
