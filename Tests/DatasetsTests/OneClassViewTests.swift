import Datasets
import Foundation
import TensorCore
import Testing

@Suite("One-class views")
struct OneClassViewTests {
    @Test("train view: only the normal class, all nominal (0)", arguments: [0, 4, 9])
    func trainViewKeepsNormalClassOnly(normalClass: Int) throws {
        let base = try FashionMNIST.bundledSample(split: .train)
        let view = try OneClassView(base, normalClasses: [normalClass], split: .train)
        #expect(view.count == 300)
        #expect(view.labels == [Int](repeating: 0, count: 300))
        #expect(view.originalLabels == [Int](repeating: normalClass, count: 300))
        #expect(view.baseIndices == base.labels.indices.filter { base.labels[$0] == normalClass })
        #expect(view.classNames == ["nominal", "anomalous"])
        #expect(view.normalClasses == [normalClass])

        let sample = try view.sample(at: 7)
        let original = try base.sample(at: view.baseIndices[7])
        #expect(sample.label == 0)
        #expect(sample.name == original.name)
        #expect(sample.image.scalars == original.image.scalars)
    }

    @Test("test view: every sample, nominal 0 and anomalous 1, in the base order")
    func testViewKeepsAll() throws {
        let base = try FashionMNIST.bundledSample(split: .test)
        let view = try OneClassView(base, normalClasses: [3], split: .test)
        #expect(view.count == 1000)
        #expect(view.baseIndices == Array(0..<1000))
        #expect(view.originalLabels == base.labels)
        #expect(view.labels == base.labels.map { $0 == 3 ? 0 : 1 })
        #expect(view.labels.filter { $0 == 0 }.count == 100)
        #expect(view.labels.filter { $0 == 1 }.count == 900)

        let anomalous = try #require(view.labels.firstIndex(of: 1))
        #expect(try view.sample(at: anomalous).label == 1)
        #expect(try view.sample(at: anomalous).name == "Fashion-MNIST/test[\(anomalous)]")
    }

    @Test("FCDD's swapped convention (--nominal-label 1)")
    func swappedLabels() throws {
        let base = try FashionMNIST.bundledSample(split: .test)
        let view = try OneClassView(base, normalClasses: [0], split: .test, labeling: .nominalOne)
        #expect(OneClassLabeling.fcdd == .nominalZero)
        #expect(view.labeling.nominalLabel == 1 && view.labeling.anomalousLabel == 0)
        #expect(view.classNames == ["anomalous", "nominal"])
        #expect(view.labels == base.labels.map { $0 == 0 ? 1 : 0 })
        #expect(view.labels.filter { $0 == 1 }.count == 100)
        let train = try OneClassView(try FashionMNIST.bundledSample(split: .train), normalClasses: [0], split: .train, labeling: .nominalOne)
        #expect(train.labels == [Int](repeating: 1, count: 300))
    }

    @Test("several normal classes; repeats ignored")
    func severalNormalClasses() throws {
        let base = try FashionMNIST.bundledSample(split: .train)
        let train = try OneClassView(base, normalClasses: [3, 1, 3], split: .train)
        #expect(train.normalClasses == [1, 3])
        #expect(train.count == 600)
        #expect(Set(train.originalLabels) == [1, 3])
        let test = try OneClassView(try FashionMNIST.bundledSample(split: .test), normalClasses: 0..<5, split: .test)
        #expect(test.labels.filter { $0 == 0 }.count == 500)
    }

    @Test("no normal class, or one that does not exist, is an error")
    func invalidNormalClasses() throws {
        let base = try FashionMNIST.bundledSample(split: .test)
        #expect(
            caughtError { try OneClassView(base, normalClasses: [Int](), split: .train) }
                == .noNormalClasses(dataset: "IDXImageDataset"))
        #expect(
            caughtError { try OneClassView(base, normalClasses: [2, 10], split: .test) }
                == .normalClassOutOfRange(dataset: "IDXImageDataset", normalClass: 10, classCount: 10))
        #expect(
            caughtError { try OneClassView(base, normalClasses: [-1], split: .train) }
                == .normalClassOutOfRange(dataset: "IDXImageDataset", normalClass: -1, classCount: 10))
        let view = try OneClassView(base, normalClasses: [0], split: .train)
        #expect(caughtError { try view.sample(at: 100) }?.caseName == "sampleIndexOutOfRange")
    }

    @Test("views work over any ImageDataset, such as CIFAR, and over views")
    func overOtherDatasets() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try SyntheticCIFAR.records([[0], [1], [2], [1], [0]]).write(to: directory.appendingPathComponent("test_batch.bin"))
        let cifar = try CIFAR(directory: directory, split: .test)
        let view = try OneClassView(cifar, normalClasses: [1], split: .test)
        #expect(view.labels == [1, 0, 1, 0, 1])
        #expect(try view.sample(at: 3).image.shape == [3, 32, 32])
        #expect(pixelBytes(try view.sample(at: 3).image) == SyntheticCIFAR.image(3))

        // A train view of a test view: the nominal samples (label 0 of the inner view).
        let nested = try OneClassView(view, normalClasses: [0], split: .train)
        #expect(nested.baseIndices == [1, 3])
    }
}
