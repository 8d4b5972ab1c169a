import Datasets
import FCDD

/// The one-class task: the Fashion-MNIST sample that ships with the library, one class
/// nominal (0, "T-shirt/top"), every other class anomalous at test time.
struct FashionMNISTTask {
    /// The nominal class.
    let normalClass: Int
    /// The nominal training images (300), all labelled 0.
    let train: OneClassView<IDXImageDataset>
    /// The whole test sample (100 nominal images labelled 0, 900 anomalous labelled 1).
    let test: OneClassView<IDXImageDataset>
    /// The test-time preprocessing stored with each model: the reference's for the class.
    let preprocessing: ModelPreprocessing

    /// The task with nominal class `normalClass`.
    ///
    /// - Throws: `DatasetError` when the bundled sample cannot be read.
    init(normalClass: Int = 0) throws {
        self.normalClass = normalClass
        train = try OneClassView(FashionMNIST.bundledSample(split: .train), normalClasses: [normalClass], split: .train)
        test = try OneClassView(FashionMNIST.bundledSample(split: .test), normalClasses: [normalClass], split: .test)
        preprocessing = .fashionMNIST(normalClass: normalClass)
    }

    /// The training transform: `injection` first (if any), so anomalies are augmented and
    /// normalised like nominal images, then the reference's augmentation and preprocessing.
    ///
    /// - Throws: `DatasetError` for invalid transform settings.
    func trainingTransform(injecting injection: AnomalyInjection?) throws -> any SampleTransform {
        let augmentation: [any SampleTransform] = [try RandomCrop(size: 28, padding: 2), try RandomHorizontalFlip(), try preprocessing.transform()]
        return Compose((injection.map { [$0] } ?? []) + augmentation)
    }
}
