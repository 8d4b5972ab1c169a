import CConvolution

/// Which vector instruction set the direct convolution kernels (``ConvolutionAlgorithm/direct``,
/// and the direct shapes of ``ConvolutionAlgorithm/automatic``) run on, chosen through
/// ``ComputeSettings/instructionSet``.
///
/// The kernels exist for AVX-512F and for AVX2 with FMA, compiled into every x86-64 build with
/// per-function target attributes, and are chosen at run time. By default (``automatic``) the
/// best one the CPU supports runs; naming one pins it, for comparisons and benchmarks (the AVX2
/// kernels on a CPU with AVX-512, say) and for tests of each path.
///
/// Naming an instruction set the CPU lacks never crashes: the kernels fall back to the best
/// supported set below it (``avx512``, then ``avx2``, then ``portable``), as ``effective``
/// tells; ``isSupported`` says whether the named set itself runs. The Winograd transforms
/// (``ConvolutionAlgorithm/winograd``), compiled for the same three levels, follow the set too
/// (under ``portable`` their baseline x86-64 copy runs); OpenBLAS picks its instruction set
/// from the CPU alone.
public enum KernelInstructionSet: String, Sendable, CaseIterable {
    /// The best set this CPU supports (the default): ``avx512``, else ``avx2``, else
    /// ``portable``.
    case automatic
    /// AVX-512F: register tiles of up to 12 output positions × 32 output channels.
    case avx512
    /// AVX2 with FMA: register tiles of up to 6 output positions × 16 output channels, for the
    /// many x86-64 CPUs without AVX-512 (most laptops; AMD Zen 1 to 3).
    case avx2
    /// No direct kernels: the convolutions they would take run on the lowering (im2col and
    /// the BLAS's GEMM) instead, as on CPUs without AVX2 and on other architectures; the Winograd
    /// transforms run their baseline copy.
    case portable

    /// Whether this set runs as named here: always for ``automatic`` and ``portable``; for
    /// ``avx512`` and ``avx2``, when the CPU and the operating system support it (on x86-64
    /// only).
    public var isSupported: Bool {
        switch self {
        case .automatic, .portable: true
        case .avx512: Self.hasAVX512
        case .avx2: Self.hasAVX2
        }
    }

    /// The best set this CPU supports: ``avx512``, ``avx2`` or ``portable``. What
    /// ``automatic`` runs.
    public static let bestSupported: KernelInstructionSet =
        hasAVX512 ? .avx512 : hasAVX2 ? .avx2 : .portable

    /// The set that runs when this one is asked for: ``bestSupported`` for ``automatic``; this
    /// set where ``isSupported``; else the best supported set below it (``avx512`` falls back
    /// to ``avx2``, ``avx2`` to ``portable``). Never ``automatic``.
    public var effective: KernelInstructionSet {
        switch self {
        case .automatic: Self.bestSupported
        case .avx512: Self.hasAVX512 ? .avx512 : KernelInstructionSet.avx2.effective
        case .avx2: Self.hasAVX2 ? .avx2 : .portable
        case .portable: .portable
        }
    }

    /// The direct kernels that run under this set, nil for the lowering (see ``effective``).
    var directKernels: DirectKernelSet? {
        switch effective {
        case .avx512: .avx512
        case .avx2: .avx2
        case .automatic, .portable: nil
        }
    }

    /// The compiled copy of the Winograd transforms that runs under this set
    /// (`cconv_winograd_plan.instruction_level`): 2 for AVX-512F, 1 for AVX2 with FMA, 0 for the
    /// baseline under ``portable`` (see ``effective``).
    var winogradLevel: Int {
        switch effective {
        case .avx512: 2
        case .avx2: 1
        case .automatic, .portable: 0
        }
    }

    /// CPUID and XGETBV report AVX-512F with its register state enabled.
    private static let hasAVX512 = cconv_avx512_supported() == 1

    /// CPUID and XGETBV report AVX2 and FMA with the YMM state enabled.
    private static let hasAVX2 = cconv_avx2_fma_supported() == 1
}
