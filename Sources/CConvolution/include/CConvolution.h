#ifndef CCONVOLUTION_H
#define CCONVOLUTION_H

#include <stddef.h>

/*
 * Direct 2-D convolution (stride 1, dilation 1, one group) with an AVX-512 register tile of
 * up to 12 output positions × 32 output channels, for the small planes where lowering to a
 * GEMM loses to it (see Documentation/Performance.md). NCHW input and output, OIHW weight.
 * The same kernel computes a convolution's input gradient: a convolution of the output
 * gradient with the transposed, flipped weight (cconv_pack_weight with transpose_flip = 1).
 * A second kernel, vectorised the same way, sums the weight gradient over output positions.
 *
 * Every AVX-512 kernel has an AVX2-with-FMA twin (`cconv_*_avx2`, for CPUs without AVX-512)
 * with the same contract and smaller register tiles: 6 positions × 16 output channels, and
 * its own packed-weight and workspace sizes (`cconv_avx2_*`). A weight packed for one
 * instruction set must not be passed to the other's kernels.
 */

/// Shape of one direct convolution. Input rows and columns outside the image (the padding)
/// read as zeros; `pad_top`/`pad_left` place the first window, `out_height`/`out_width` say
/// how many windows there are, so the bottom and right padding follow from them.
typedef struct {
    long batch;
    long in_channels;
    long height;
    long width;
    long out_channels;
    long kernel_height;
    long kernel_width;
    long pad_top;
    long pad_left;
    long out_height;
    long out_width;
} cconv_geometry;

/// 1 when the CPU and the operating system support AVX-512F (ZMM state enabled), else 0.
int cconv_avx512_supported(void);

/// Floats of the packed weight for `geometry` (output channels rounded up to 32).
size_t cconv_packed_weight_floats(const cconv_geometry *geometry);

/// Floats of scratch space one thread needs (a zero-padded copy of one image).
size_t cconv_workspace_floats(const cconv_geometry *geometry);

/// Packs the weight into blocks of 32 output channels, [block][in][kh][kw][32]. With
/// `transpose_flip` = 0, `weight` is [out_channels][in_channels][kh][kw]; with 1 it is the
/// weight of the convolution whose input gradient this computes, stored
/// [in_channels][out_channels][kh][kw] of *this* geometry, and is read transposed and
/// rotated by 180°.
void cconv_pack_weight(const cconv_geometry *geometry, const float *weight, int transpose_flip, float *packed);

/// Floats of scratch space one thread of cconv_weight_gradient_avx512 needs.
size_t cconv_weight_gradient_workspace_floats(const cconv_geometry *geometry);

/// Writes a packed weight gradient ([block][in][kh][kw][32], as cconv_pack_weight lays out a
/// weight) as [out_channels][in_channels][kh][kw].
void cconv_unpack_weight_gradient(const cconv_geometry *geometry, const float *packed, float *weight_gradient);

/// Floats of the weight packed for cconv_narrow_forward_avx512 ([block of 12 out][in][kh][kw][12]).
size_t cconv_narrow_packed_weight_floats(const cconv_geometry *geometry);

/// Floats of scratch space one thread of cconv_narrow_forward_avx512 needs.
size_t cconv_narrow_workspace_floats(const cconv_geometry *geometry);

/// Packs an [out_channels][in_channels][kh][kw] weight for cconv_narrow_forward_avx512.
void cconv_narrow_pack_weight(const cconv_geometry *geometry, const float *weight, float *packed);

/// 1 when the CPU and the operating system support AVX2 and FMA (YMM state enabled), else 0.
int cconv_avx2_fma_supported(void);

/// Floats of the weight packed for cconv_forward_avx2 (output channels rounded up to 16).
size_t cconv_avx2_packed_weight_floats(const cconv_geometry *geometry);

/// Floats of scratch space one thread of cconv_forward_avx2 needs.
size_t cconv_avx2_workspace_floats(const cconv_geometry *geometry);

/// cconv_pack_weight for the AVX2 kernels: blocks of 16 output channels, [block][in][kh][kw][16].
void cconv_avx2_pack_weight(const cconv_geometry *geometry, const float *weight, int transpose_flip, float *packed);

/// Floats of scratch space one thread of cconv_weight_gradient_avx2 needs.
size_t cconv_avx2_weight_gradient_workspace_floats(const cconv_geometry *geometry);

/// cconv_unpack_weight_gradient for a gradient packed as cconv_avx2_pack_weight lays out a weight.
void cconv_avx2_unpack_weight_gradient(const cconv_geometry *geometry, const float *packed, float *weight_gradient);

/// Floats of the weight packed for cconv_narrow_forward_avx2 ([block of 6 out][in][kh][kw][6]).
/// Its workspace is cconv_narrow_workspace_floats floats, as for the AVX-512 kernel.
size_t cconv_avx2_narrow_packed_weight_floats(const cconv_geometry *geometry);

/// Packs an [out_channels][in_channels][kh][kw] weight for cconv_narrow_forward_avx2.
void cconv_avx2_narrow_pack_weight(const cconv_geometry *geometry, const float *weight, float *packed);

#if defined(__x86_64__)
/// output[first ..< first + count] = conv(input, packed weight) (+ bias[out channel] when
/// `bias` is not NULL) for images `first ..< first + count`, on one thread. `workspace` holds
/// cconv_workspace_floats floats. Call only when cconv_avx512_supported() returns 1.
void cconv_forward_avx512(
    const cconv_geometry *geometry, const float *input, const float *packed_weight, const float *bias,
    float *output, long first_image, long image_count, float *workspace);

/// packed_gradient += the weight gradient of the convolution over images
/// `first ..< first + count`, on one thread, laid out as cconv_pack_weight lays out a weight
/// (cconv_packed_weight_floats floats; the caller zeroes it first). Needs kernel_width ≤ 12.
/// `workspace` holds cconv_weight_gradient_workspace_floats floats.
void cconv_weight_gradient_avx512(
    const cconv_geometry *geometry, const float *input, const float *output_gradient, float *packed_gradient,
    long first_image, long image_count, float *workspace);
/// The forward pass for convolutions with few input channels (the first layers): a register
/// tile of 12 output channels × up to 32 positions of one output row, stored straight into the
/// output. Same contract as cconv_forward_avx512, with a weight from cconv_narrow_pack_weight
/// and a workspace of cconv_narrow_workspace_floats floats.
void cconv_narrow_forward_avx512(
    const cconv_geometry *geometry, const float *input, const float *packed_weight, const float *bias,
    float *output, long first_image, long image_count, float *workspace);

/// cconv_forward_avx512 on AVX2 with FMA: a register tile of up to 6 output positions × 16
/// output channels. Weight from cconv_avx2_pack_weight, workspace of
/// cconv_avx2_workspace_floats floats. Call only when cconv_avx2_fma_supported() returns 1.
void cconv_forward_avx2(
    const cconv_geometry *geometry, const float *input, const float *packed_weight, const float *bias,
    float *output, long first_image, long image_count, float *workspace);

/// cconv_weight_gradient_avx512 on AVX2 with FMA: a register tile of up to 6 kernel taps × 16
/// output channels, any kernel width. The gradient is laid out as cconv_avx2_pack_weight lays
/// out a weight (cconv_avx2_packed_weight_floats floats, zeroed by the caller); the workspace
/// holds cconv_avx2_weight_gradient_workspace_floats floats.
void cconv_weight_gradient_avx2(
    const cconv_geometry *geometry, const float *input, const float *output_gradient, float *packed_gradient,
    long first_image, long image_count, float *workspace);

/// cconv_narrow_forward_avx512 on AVX2 with FMA: a register tile of 6 output channels × up to
/// 16 positions of one output row. Weight from cconv_avx2_narrow_pack_weight, workspace of
/// cconv_narrow_workspace_floats floats.
void cconv_narrow_forward_avx2(
    const cconv_geometry *geometry, const float *input, const float *packed_weight, const float *bias,
    float *output, long first_image, long image_count, float *workspace);
#endif

/*
 * Winograd convolution F(m×m, r×r) (see winograd_convolution.c): the transforms of the input,
 * weight and output and the adjoints of each for the backward pass. The caller runs the α²
 * GEMMs between them, one per ξ = i·α + j. Transformed tiles are stored [tile][ξ][channel]
 * (the GEMM operand of ξ has row stride α²·channels), the transformed weight [ξ][in][out].
 * The tiles of a block of images starting at `block_first` are numbered image by image,
 * row-major within one.
 */

/// Largest tile α = m + r − 1 a plan supports.
#define CCONV_WINOGRAD_MAX_ALPHA 8

/// The transform matrices of F(m×m, r×r), row-major, and the instruction set its transforms
/// run on.
typedef struct {
    long output_tile;                                                      /* m */
    long kernel;                                                           /* r */
    long alpha;                                                            /* m + r − 1 */
    float input_transform[CCONV_WINOGRAD_MAX_ALPHA * CCONV_WINOGRAD_MAX_ALPHA];  /* Bᵀ: α × α */
    float kernel_transform[CCONV_WINOGRAD_MAX_ALPHA * CCONV_WINOGRAD_MAX_ALPHA]; /* G: α × r */
    float output_transform[CCONV_WINOGRAD_MAX_ALPHA * CCONV_WINOGRAD_MAX_ALPHA]; /* Aᵀ: m × α */
    /* Which compiled copy of the transforms runs: 2 AVX-512F, 1 AVX2 with FMA, 0 the baseline
     * (x86-64 only; elsewhere the one copy runs). cconv_winograd_make_plan sets the best the
     * CPU supports; a caller may lower it, never raise it above what the CPU supports. */
    long instruction_level;
} cconv_winograd_plan;

/// Fills `plan` for F(m×m, r×r) on the finite interpolation points 0, 1, −1, 2, −½, ½, −2 (the
/// first α − 1 of them) and ∞; returns 0 (and leaves it unusable) when α is not in 2...8.
int cconv_winograd_make_plan(long m, long r, cconv_winograd_plan *plan);

/// As cconv_winograd_make_plan on the α − 1 distinct finite points `points` (and ∞).
int cconv_winograd_make_plan_on_points(long m, long r, const double *points, cconv_winograd_plan *plan);

/// The instruction level cconv_winograd_make_plan gives a plan: 2 with AVX-512F, 1 with AVX2
/// and FMA, else 0.
long cconv_winograd_best_instruction_level(void);

/// Output tiles down one image, and across.
long cconv_winograd_tile_rows(const cconv_winograd_plan *plan, const cconv_geometry *geometry);
long cconv_winograd_tile_columns(const cconv_winograd_plan *plan, const cconv_geometry *geometry);

/// Floats of scratch space each thread needs (one image, channels last, padded to whole tiles).
size_t cconv_winograd_workspace_floats(const cconv_winograd_plan *plan, const cconv_geometry *geometry);

/// transformed[ξ][in][out] = (G w[out][in] Gᵀ)[ξ] for an r × r kernel (α² · in · out floats),
/// for the input channels `first_in ..< first_in + in_count`.
void cconv_winograd_transform_weight(
    const cconv_winograd_plan *plan, const cconv_geometry *geometry, const float *weight, long first_in,
    long in_count, float *transformed);

/// weight_gradient[out][in] = Gᵀ dU[·][in][out] G (overwritten) for the input channels
/// `first_in ..< first_in + in_count`: the adjoint of the weight transform.
void cconv_winograd_transform_weight_gradient(
    const cconv_winograd_plan *plan, const cconv_geometry *geometry, const float *transformed_gradient,
    long first_in, long in_count, float *weight_gradient);

/// transformed[tile][ξ][in] = (Bᵀ d B)[ξ] for every tile d of images `first ..< first + count`
/// of the block (padding read as zeros).
void cconv_winograd_transform_input(
    const cconv_winograd_plan *plan, const cconv_geometry *geometry, const float *input, long block_first,
    long first, long count, float *transformed, float *workspace);

/// The activation a kernel applies to each output value as it writes it (after the bias):
/// none, ReLU (`v < 0 ? 0 : v`) or leaky ReLU (`v > 0 ? v : v · negative_slope`), with the
/// same float results as the separate elementwise operations.
typedef enum { CCONV_ACTIVATION_NONE = 0, CCONV_ACTIVATION_RELU = 1, CCONV_ACTIVATION_LEAKY_RELU = 2 } cconv_activation_kind;

/// An activation and its slope (read only for CCONV_ACTIVATION_LEAKY_RELU).
typedef struct {
    cconv_activation_kind kind;
    float negative_slope;
} cconv_activation;

/// output = activation(Aᵀ M A (+ bias[out] when not NULL)) for every tile of images
/// `first ..< first + count`, cut to the output size.
void cconv_winograd_transform_output(
    const cconv_winograd_plan *plan, const cconv_geometry *geometry, const float *transformed, const float *bias,
    cconv_activation activation, long block_first, long first, long count, float *output, float *workspace);

/// transformed[tile][ξ][out] = (A dY Aᵀ)[ξ]: the adjoint of cconv_winograd_transform_output.
void cconv_winograd_transform_output_gradient(
    const cconv_winograd_plan *plan, const cconv_geometry *geometry, const float *output_gradient, long block_first,
    long first, long count, float *transformed, float *workspace);

/// input_gradient of images `first ..< first + count` (overwritten) = the tiles B dV Bᵀ added
/// where they overlap: the adjoint of cconv_winograd_transform_input.
void cconv_winograd_transform_input_gradient(
    const cconv_winograd_plan *plan, const cconv_geometry *geometry, const float *transformed, long block_first,
    long first, long count, float *input_gradient, float *workspace);

#endif
