/*
 * Winograd convolution F(m×m, r×r) (Lavin & Gray, "Fast Algorithms for Convolutional Neural
 * Networks", 2016): every m×m tile of the output is computed from an α×α tile of the input,
 * α = m + r − 1, as
 *
 *     Y = Aᵀ [ (G g Gᵀ) ⊙ (Bᵀ d B) ] A,
 *
 * so that, summed over input channels, the α² element-wise products become α² independent
 * GEMMs (tiles × in channels) · (in channels × out channels), which the caller runs on
 * the BLAS's sgemm. For r = 3, m = 4 this is 36 multiplies per 16 outputs instead of 144.
 *
 * This file builds the transform matrices (Toom-Cook on the points 0, ±1, 2, −½ and ∞ for
 * α = 6, plus ½ and −2 for α = 8: mixing 2 and ½ halves the float error of F(4×4, 3×3) against
 * 0, ±1, ±2; built in double precision) and applies them. Tiles are stored V[tile][ξ][channel] with
 * ξ = i·α + j: the transforms run on contiguous vectors of channels and write each tile's α²
 * vectors next to each other, and V[ξ] is a row-major GEMM operand with row stride α²·channels. The backward pass applies the exact
 * adjoints of the forward transforms (output gradient: dM = A dY Aᵀ; input gradient: the
 * overlapping tiles B dV Bᵀ added back into the image; weight gradient: Gᵀ dU G), so the
 * gradients are those of the computed forward pass for any padding.
 *
 * The loops are plain C; on x86-64 copies compiled for AVX-512F, for AVX2 with FMA and for the
 * baseline exist, and the plan's instruction level chooses one at run time.
 */

#include "CConvolution.h"

#include <string.h>

enum { LANES = 16 }; /* channels transformed together */

/* The finite interpolation points, in the order tiles of growing α take them. */
static const double default_points[CCONV_WINOGRAD_MAX_ALPHA - 1] = {0, 1, -1, 2, -0.5, 0.5, -2};

long cconv_winograd_best_instruction_level(void) {
#if defined(__x86_64__)
    static long level = -1;
    if (level < 0) level = cconv_avx512_supported() ? 2 : cconv_avx2_fma_supported();
    return level;
#else
    return 0;
#endif
}

int cconv_winograd_make_plan(long m, long r, cconv_winograd_plan *plan) {
    return cconv_winograd_make_plan_on_points(m, r, default_points, plan);
}

int cconv_winograd_make_plan_on_points(long m, long r, const double *interpolation_points, cconv_winograd_plan *plan) {
    long alpha = m + r - 1;
    if (m < 1 || r < 1 || alpha < 2 || alpha > CCONV_WINOGRAD_MAX_ALPHA) return 0;
    for (long i = 0; i < alpha - 1; i++)
        for (long j = 0; j < i; j++)
            if (interpolation_points[i] == interpolation_points[j]) return 0;
    memset(plan, 0, sizeof *plan);
    plan->output_tile = m;
    plan->kernel = r;
    plan->alpha = alpha;
    plan->instruction_level = cconv_winograd_best_instruction_level();
    long finite = alpha - 1;
    /* The polynomial Π (x − p_l) over every finite point, for the row of the point at ∞. */
    double full[CCONV_WINOGRAD_MAX_ALPHA + 1] = {1};
    for (long j = 0; j < finite; j++) {
        double p = interpolation_points[j];
        /* N_j(x) = Π_{l≠j} (x − p_l) and its value D_j at p_j (the Lagrange denominator). */
        double coefficients[CCONV_WINOGRAD_MAX_ALPHA + 1] = {1};
        double denominator = 1;
        long degree = 0;
        for (long l = 0; l < finite; l++) {
            if (l == j) continue;
            for (long k = degree + 1; k >= 0; k--)
                coefficients[k] = (k > 0 ? coefficients[k - 1] : 0) - interpolation_points[l] * coefficients[k];
            degree++;
            denominator *= p - interpolation_points[l];
        }
        for (long k = finite; k >= 0; k--) full[k] = (k > 0 ? full[k - 1] : 0) - p * full[k];
        /* The sign of D_j goes into Bᵀ so that G holds the positive 1/|D_j|. */
        double sign = denominator < 0 ? -1 : 1;
        for (long k = 0; k < alpha; k++) plan->input_transform[j * alpha + k] = (float)(sign * coefficients[k]);
        double power = 1;
        for (long k = 0; k < r; k++) {
            plan->kernel_transform[j * r + k] = (float)(power / (sign * denominator));
            power *= p;
        }
        power = 1;
        for (long i = 0; i < m; i++) {
            plan->output_transform[i * alpha + j] = (float)power;
            power *= p;
        }
    }
    for (long k = 0; k < alpha; k++) plan->input_transform[finite * alpha + k] = (float)full[k];
    plan->kernel_transform[finite * r + r - 1] = 1;
    plan->output_transform[(m - 1) * alpha + finite] = 1;
    return 1;
}

long cconv_winograd_tile_rows(const cconv_winograd_plan *plan, const cconv_geometry *g) {
    return (g->out_height + plan->output_tile - 1) / plan->output_tile;
}

long cconv_winograd_tile_columns(const cconv_winograd_plan *plan, const cconv_geometry *g) {
    return (g->out_width + plan->output_tile - 1) / plan->output_tile;
}

/* The zero-padded input image covered by the tiles, and the output rounded up to whole tiles. */
static long covered_height(const cconv_winograd_plan *p, const cconv_geometry *g) {
    return cconv_winograd_tile_rows(p, g) * p->output_tile + p->alpha - p->output_tile;
}
static long covered_width(const cconv_winograd_plan *p, const cconv_geometry *g) {
    return cconv_winograd_tile_columns(p, g) * p->output_tile + p->alpha - p->output_tile;
}
static long max_long(long a, long b) { return a > b ? a : b; }

size_t cconv_winograd_workspace_floats(const cconv_winograd_plan *p, const cconv_geometry *g) {
    long input = covered_height(p, g) * covered_width(p, g) * g->in_channels;
    long output = cconv_winograd_tile_rows(p, g) * cconv_winograd_tile_columns(p, g) * p->output_tile * p->output_tile
        * g->out_channels;
    return (size_t)max_long(input, output);
}

/* A vector of LANES channels; loads and stores through it need only float alignment. */
typedef float lane_vector __attribute__((vector_size(LANES * sizeof(float)), aligned(sizeof(float))));

/* The same lanes as integers, for the activations' selects (comparisons give -1 or 0 per lane). */
typedef int lane_mask __attribute__((vector_size(LANES * sizeof(int))));

/* One exchange step of the 16 × 16 transpose: lanes whose index has bit `b` set swap with the
 * row `b` further down (row i keeps its lanes c with c & b == 0 and takes row i + b's lanes
 * c − b; row i + b the rest). */
#define EXCHANGE(rows, i, b, low, high)                                              \
    do {                                                                             \
        lane_vector upper = rows[i], lower = rows[i + b];                            \
        rows[i] = __builtin_shufflevector(upper, lower, low);                        \
        rows[i + b] = __builtin_shufflevector(upper, lower, high);                   \
    } while (0)
#define LOW8 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23
#define HIGH8 8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31
#define LOW4 0, 1, 2, 3, 16, 17, 18, 19, 8, 9, 10, 11, 24, 25, 26, 27
#define HIGH4 4, 5, 6, 7, 20, 21, 22, 23, 12, 13, 14, 15, 28, 29, 30, 31
#define LOW2 0, 1, 16, 17, 4, 5, 20, 21, 8, 9, 24, 25, 12, 13, 28, 29
#define HIGH2 2, 3, 18, 19, 6, 7, 22, 23, 10, 11, 26, 27, 14, 15, 30, 31
#define LOW1 0, 16, 2, 18, 4, 20, 6, 22, 8, 24, 10, 26, 12, 28, 14, 30
#define HIGH1 1, 17, 3, 19, 5, 21, 7, 23, 9, 25, 11, 27, 13, 29, 15, 31

/* Transposes 16 rows of 16 floats in registers: exchanging the off-diagonal blocks of 8, then 4,
 * 2 and 1 swaps each bit of the row index with the same bit of the lane index. */
__attribute__((always_inline))
static inline void transpose_16x16(lane_vector rows[16]) {
    for (int i = 0; i < 16; i++)
        if (!(i & 8)) EXCHANGE(rows, i, 8, LOW8, HIGH8);
    for (int i = 0; i < 16; i++)
        if (!(i & 4)) EXCHANGE(rows, i, 4, LOW4, HIGH4);
    for (int i = 0; i < 16; i++)
        if (!(i & 2)) EXCHANGE(rows, i, 2, LOW2, HIGH2);
    for (int i = 0; i < 16; i++)
        if (!(i & 1)) EXCHANGE(rows, i, 1, LOW1, HIGH1);
}

/* The column of the 16-column block after the one at `w` in a row of `width` ≥ 16 columns,
 * or −1 after the last: blocks every 16 columns, the last one ending at the row's end and so
 * overlapping the one before it where 16 does not divide the width. */
static inline long next_block_column(long w, long width) {
    if (w + 16 == width) return -1;
    return w + 32 <= width ? w + 16 : width - 16;
}

/* The activation on LANES values at once, in place, with the scalar loops' results: ReLU
 * v < 0 ? 0 : v, leaky ReLU v > 0 ? v : v · slope (NaN stays NaN, −0 stays −0 under ReLU). By
 * pointer: a 64-byte vector argument would change the calling convention of the builds without
 * AVX-512. */
__attribute__((always_inline))
static inline void activate_lanes(lane_vector *values, cconv_activation activation) {
    const lane_vector zero = {0};
    lane_vector v = *values;
    switch (activation.kind) {
    case CCONV_ACTIVATION_RELU:
        *values = (lane_vector)((lane_mask)v & ~(lane_mask)(v < zero));
        break;
    case CCONV_ACTIVATION_LEAKY_RELU: {
        lane_mask positive = (lane_mask)(v > zero);
        *values = (lane_vector)(((lane_mask)v & positive) | ((lane_mask)(v * activation.negative_slope) & ~positive));
        break;
    }
    default:
        break;
    }
}

/* out[i][j] = Σ_{a,b} left[i][a] · in[a][b] · right[j][b] for LANES channels at once, or
 * out += that when `accumulate`; `in` is rows_in × cols_in and `out` rows_out × cols_out, each
 * element a vector of LANES contiguous floats at the given row and column strides. With the
 * sizes known at compile time the loops unroll and the rows stay in registers. */
__attribute__((always_inline))
static inline void sandwich_vector(
    const long rows_out, const long rows_in, const long cols_out, const long cols_in,
    const float *left, const float *right, const float *in, long in_row_stride, long in_col_stride,
    float *out, long out_row_stride, long out_col_stride, int accumulate)
{
    lane_vector half[CCONV_WINOGRAD_MAX_ALPHA][CCONV_WINOGRAD_MAX_ALPHA];
    for (long a = 0; a < rows_in; a++) {
        lane_vector row[CCONV_WINOGRAD_MAX_ALPHA];
        for (long b = 0; b < cols_in; b++) row[b] = *(const lane_vector *)(in + a * in_row_stride + b * in_col_stride);
        for (long j = 0; j < cols_out; j++) {
            lane_vector sum = row[0] * right[j * cols_in];
            for (long b = 1; b < cols_in; b++) sum += row[b] * right[j * cols_in + b];
            half[a][j] = sum;
        }
    }
    for (long j = 0; j < cols_out; j++) {
        for (long i = 0; i < rows_out; i++) {
            lane_vector sum = half[0][j] * left[i * rows_in];
            for (long a = 1; a < rows_in; a++) sum += half[a][j] * left[i * rows_in + a];
            lane_vector *target = (lane_vector *)(out + i * out_row_stride + j * out_col_stride);
            if (accumulate) {
                *target += sum;
            } else {
                *target = sum;
            }
        }
    }
}

/* sandwich_vector for fewer than LANES channels, one at a time. */
static void sandwich_scalar(
    long rows_out, long rows_in, long cols_out, long cols_in, const float *left, const float *right,
    const float *in, long in_row_stride, long in_col_stride,
    float *out, long out_row_stride, long out_col_stride, int accumulate, long lanes)
{
    for (long l = 0; l < lanes; l++) {
        float half[CCONV_WINOGRAD_MAX_ALPHA][CCONV_WINOGRAD_MAX_ALPHA];
        for (long a = 0; a < rows_in; a++)
            for (long j = 0; j < cols_out; j++) {
                float sum = 0;
                for (long b = 0; b < cols_in; b++) sum += right[j * cols_in + b] * in[a * in_row_stride + b * in_col_stride + l];
                half[a][j] = sum;
            }
        for (long i = 0; i < rows_out; i++)
            for (long j = 0; j < cols_out; j++) {
                float sum = 0;
                for (long a = 0; a < rows_in; a++) sum += left[i * rows_in + a] * half[a][j];
                float *target = out + i * out_row_stride + j * out_col_stride + l;
                *target = accumulate ? *target + sum : sum;
            }
    }
}

/* The sandwich over all `channels` of a tile, in full vectors and one remainder. */
__attribute__((always_inline))
static inline void sandwich_channels(
    const long rows_out, const long rows_in, const long cols_out, const long cols_in,
    const float *left, const float *right, const float *in, long in_row_stride, long in_col_stride,
    float *out, long out_row_stride, long out_col_stride, int accumulate, long channels)
{
    long c = 0;
    for (; c + LANES <= channels; c += LANES)
        sandwich_vector(rows_out, rows_in, cols_out, cols_in, left, right, in + c, in_row_stride, in_col_stride,
                        out + c, out_row_stride, out_col_stride, accumulate);
    if (c < channels)
        sandwich_scalar(rows_out, rows_in, cols_out, cols_in, left, right, in + c, in_row_stride, in_col_stride,
                        out + c, out_row_stride, out_col_stride, accumulate, channels - c);
}

/* The transposed matrix of a rows × cols matrix. */
static void transpose_matrix(const float *matrix, long rows, long cols, float *transposed) {
    for (long i = 0; i < rows; i++)
        for (long j = 0; j < cols; j++) transposed[j * rows + i] = matrix[i * cols + j];
}

/* The rows first_row ..< first_row + rows of the zero-padded, channels-last copy of an image:
 * image[c][h][w] (height × width) sits at padded row h + top, column w + left, and the band's
 * first row is written to band[0]. Rows and columns outside the image are zeroed; the rest is
 * overwritten by the image. */
__attribute__((always_inline))
static inline void to_channels_last(
    const float *image, long channels, long height, long width, float *band, long padded_width, long top, long left,
    long first_row, long rows)
{
    long row_floats = padded_width * channels;
    long right = padded_width - left - width;
    for (long r = first_row; r < first_row + rows; r++) {
        float *line = band + (r - first_row) * row_floats;
        long h = r - top;
        if (h < 0 || h >= height) {
            memset(line, 0, sizeof(float) * (size_t)row_floats);
            continue;
        }
        memset(line, 0, sizeof(float) * (size_t)(left * channels));
        if (right > 0) memset(line + (left + width) * channels, 0, sizeof(float) * (size_t)(right * channels));
        float *row = line + left * channels;
        long c = 0;
        if (width >= 16) {
            /* Blocks of 16 channels × 16 columns, transposed in registers. */
            for (; c + LANES <= channels; c += LANES) {
                for (long w = 0; w >= 0; w = next_block_column(w, width)) {
                    lane_vector block[16];
                    for (int l = 0; l < 16; l++) block[l] = *(const lane_vector *)(image + ((c + l) * height + h) * width + w);
                    transpose_16x16(block);
                    for (int k = 0; k < 16; k++) *(lane_vector *)(row + (w + k) * channels + c) = block[k];
                }
            }
        }
        for (; c < channels; c++) {
            const float *source = image + (c * height + h) * width;
            for (long w = 0; w < width; w++) row[w * channels + c] = source[w];
        }
    }
}

/* image[c][h][w] = activation(padded[(h − first_row + top)][(w + left)][c] (+ bias[c])) for the
 * rows first_row ..< first_row + rows of the height × width planes: the inverse of
 * to_channels_last on the region it filled, or on a band of it. Row by row, so that the strided
 * reads of one padded row (width × channels floats) stay in the cache for all its channels:
 * channel by channel over the whole image would read the entire padded buffer from memory once
 * per channel. The scalar remainder has one loop per activation, so that none branches per value. */
__attribute__((always_inline))
static inline void from_channels_last(
    const float *padded, long padded_width, long top, long left, const float *bias, cconv_activation activation,
    long channels, long height, long width, long first_row, long rows, float *image)
{
    const float slope = activation.negative_slope;
    for (long h = first_row; h < first_row + rows; h++) {
        const float *row = padded + ((h - first_row + top) * padded_width + left) * channels;
        long c = 0;
        if (width >= 16) {
            /* Blocks of 16 columns × 16 channels, shifted and activated as channel vectors, then
             * transposed in registers. */
            for (; c + LANES <= channels; c += LANES) {
                lane_vector shift = {0};
                if (bias) shift = *(const lane_vector *)(bias + c);
                for (long w = 0; w >= 0; w = next_block_column(w, width)) {
                    lane_vector block[16];
                    for (int k = 0; k < 16; k++) {
                        block[k] = *(const lane_vector *)(row + (w + k) * channels + c) + shift;
                        activate_lanes(&block[k], activation);
                    }
                    transpose_16x16(block);
                    for (int l = 0; l < 16; l++) *(lane_vector *)(image + ((c + l) * height + h) * width + w) = block[l];
                }
            }
        }
        for (; c < channels; c++) {
            float shift = bias ? bias[c] : 0;
            float *target = image + (c * height + h) * width;
            const float *source = row + c;
            switch (activation.kind) {
            case CCONV_ACTIVATION_RELU:
                for (long w = 0; w < width; w++) {
                    float v = source[w * channels] + shift;
                    target[w] = v < 0 ? 0 : v;
                }
                break;
            case CCONV_ACTIVATION_LEAKY_RELU:
                for (long w = 0; w < width; w++) {
                    float v = source[w * channels] + shift;
                    target[w] = v > 0 ? v : v * slope;
                }
                break;
            default:
                for (long w = 0; w < width; w++) target[w] = source[w * channels] + shift;
            }
        }
    }
}

/* transformed[tile] = left · window · rightᵀ for every tile of one image: the window is
 * span × span channel vectors of the channels-last `image` (row length `width`), its origin
 * m columns and rows apart from tile to tile, and the tiles are numbered from `first_tile`. */
__attribute__((always_inline))
static inline void image_to_tiles(
    const long m, const long alpha, const long span, const float *left, const float *right, const float *image,
    long width, long tile_rows, long tile_cols, long channels, long first_tile, float *transformed)
{
    long tile = first_tile;
    for (long ty = 0; ty < tile_rows; ty++) {
        for (long tx = 0; tx < tile_cols; tx++, tile++) {
            sandwich_channels(alpha, span, alpha, span, left, right, image + (ty * m * width + tx * m) * channels,
                              width * channels, channels, transformed + tile * alpha * alpha * channels,
                              alpha * channels, channels, 0, channels);
        }
    }
}

/* The way back: image window (+)= left · transformed[tile] · rightᵀ, span × span channel
 * vectors per tile, added where windows overlap when `accumulate`. */
__attribute__((always_inline))
static inline void tiles_to_image(
    const long m, const long alpha, const long span, const float *left, const float *right, const float *transformed,
    long first_tile, long tile_rows, long tile_cols, long channels, float *image, long width, int accumulate)
{
    long tile = first_tile;
    for (long ty = 0; ty < tile_rows; ty++) {
        for (long tx = 0; tx < tile_cols; tx++, tile++) {
            sandwich_channels(span, alpha, span, alpha, left, right, transformed + tile * alpha * alpha * channels,
                              alpha * channels, channels, image + (ty * m * width + tx * m) * channels,
                              width * channels, channels, accumulate, channels);
        }
    }
}

__attribute__((always_inline))
static inline void transform_input_body(
    const long m, const long alpha, const cconv_winograd_plan *p, const cconv_geometry *g, const float *input, long block_first,
    long first, long count, float *transformed, float *workspace)
{
    long channels = g->in_channels;
    long tile_rows = cconv_winograd_tile_rows(p, g), tile_cols = cconv_winograd_tile_columns(p, g);
    long width = covered_width(p, g), row_floats = width * channels, overlap = alpha - m;
    for (long image = first; image < first + count; image++) {
        const float *source = input + image * channels * g->height * g->width;
        /* One band of α padded rows per row of tiles, so that the rows are still in the cache
         * when the tiles read them: the next band keeps the last α − m rows (moved to its top)
         * and converts m new ones. */
        for (long ty = 0; ty < tile_rows; ty++) {
            if (ty == 0) {
                to_channels_last(source, channels, g->height, g->width, workspace, width, g->pad_top, g->pad_left, 0, alpha);
            } else {
                memmove(workspace, workspace + m * row_floats, sizeof(float) * (size_t)(overlap * row_floats));
                to_channels_last(source, channels, g->height, g->width, workspace + overlap * row_floats, width, g->pad_top,
                                 g->pad_left, ty * m + overlap, m);
            }
            image_to_tiles(m, alpha, alpha, p->input_transform, p->input_transform, workspace, width, 1, tile_cols, channels,
                           ((image - block_first) * tile_rows + ty) * tile_cols, transformed);
        }
    }
}

__attribute__((always_inline))
static inline void transform_output_body(
    const long m, const long alpha, const cconv_winograd_plan *p, const cconv_geometry *g, const float *transformed, const float *bias,
    cconv_activation activation, long block_first, long first, long count, float *output, float *workspace)
{
    long channels = g->out_channels;
    long tile_rows = cconv_winograd_tile_rows(p, g), tile_cols = cconv_winograd_tile_columns(p, g);
    long width = tile_cols * m;
    for (long image = first; image < first + count; image++) {
        /* One band of m output rows at a time: the band's channels-last rows (m × width ×
         * channels floats, a few hundred KB for the VGG layers) are still in the cache when
         * they are copied out, where a whole image's would have gone to memory and back. */
        for (long ty = 0; ty < tile_rows; ty++) {
            tiles_to_image(m, alpha, m, p->output_transform, p->output_transform, transformed,
                           ((image - block_first) * tile_rows + ty) * tile_cols, 1, tile_cols, channels, workspace, width, 0);
            long rows = g->out_height - ty * m < m ? g->out_height - ty * m : m;
            from_channels_last(workspace, width, 0, 0, bias, activation, channels, g->out_height, g->out_width, ty * m, rows,
                               output + image * channels * g->out_height * g->out_width);
        }
    }
}

__attribute__((always_inline))
static inline void transform_output_gradient_body(
    const long m, const long alpha, const cconv_winograd_plan *p, const cconv_geometry *g, const float *output_gradient, long block_first,
    long first, long count, float *transformed, float *workspace)
{
    long channels = g->out_channels;
    long tile_rows = cconv_winograd_tile_rows(p, g), tile_cols = cconv_winograd_tile_columns(p, g);
    long width = tile_cols * m;
    float adjoint[CCONV_WINOGRAD_MAX_ALPHA * CCONV_WINOGRAD_MAX_ALPHA];
    transpose_matrix(p->output_transform, m, alpha, adjoint);
    for (long image = first; image < first + count; image++) {
        /* One band of m rows per row of tiles (the tiles do not overlap), read while in the cache. */
        for (long ty = 0; ty < tile_rows; ty++) {
            to_channels_last(output_gradient + image * channels * g->out_height * g->out_width, channels, g->out_height,
                             g->out_width, workspace, width, 0, 0, ty * m, m);
            image_to_tiles(m, alpha, m, adjoint, adjoint, workspace, width, 1, tile_cols, channels,
                           ((image - block_first) * tile_rows + ty) * tile_cols, transformed);
        }
    }
}

__attribute__((always_inline))
static inline void transform_input_gradient_body(
    const long m, const long alpha, const cconv_winograd_plan *p, const cconv_geometry *g, const float *transformed, long block_first,
    long first, long count, float *input_gradient, float *workspace)
{
    long channels = g->in_channels;
    long tile_rows = cconv_winograd_tile_rows(p, g), tile_cols = cconv_winograd_tile_columns(p, g);
    long height = covered_height(p, g), width = covered_width(p, g);
    float adjoint[CCONV_WINOGRAD_MAX_ALPHA * CCONV_WINOGRAD_MAX_ALPHA];
    transpose_matrix(p->input_transform, alpha, alpha, adjoint);
    for (long image = first; image < first + count; image++) {
        memset(workspace, 0, sizeof(float) * (size_t)(height * width * channels));
        tiles_to_image(m, alpha, alpha, adjoint, adjoint, transformed, (image - block_first) * tile_rows * tile_cols,
                       tile_rows, tile_cols, channels, workspace, width, 1);
        /* The padding's gradient is dropped: the image sits at (pad_top, pad_left), inside the buffer. */
        from_channels_last(workspace, width, g->pad_top, g->pad_left, NULL, (cconv_activation){CCONV_ACTIVATION_NONE, 0},
                           channels, g->height, g->width, 0, g->height,
                           input_gradient + image * channels * g->height * g->width);
    }
}

/* The body for the tiles the nets use, F(2×2, 3×3), F(4×4, 3×3), F(2×2, 5×5) and F(4×4, 5×5),
 * with m and α known at compile time, and for any other plan. */
#define EXPAND(...) __VA_ARGS__
#define FOR_TILE_SIZE(name, p, arguments)                                                    \
    if ((p)->output_tile == 2 && (p)->alpha == 4) name##_body(2, 4, EXPAND arguments);       \
    else if ((p)->output_tile == 4 && (p)->alpha == 6) name##_body(4, 6, EXPAND arguments);  \
    else if ((p)->output_tile == 2 && (p)->alpha == 6) name##_body(2, 6, EXPAND arguments);  \
    else if ((p)->output_tile == 4 && (p)->alpha == 8) name##_body(4, 8, EXPAND arguments);  \
    else name##_body((p)->output_tile, (p)->alpha, EXPAND arguments);

#if defined(__x86_64__)
/* A public entry point `cconv_winograd_<name>` that runs `<name>_body`, compiled for AVX-512,
 * for AVX2 with FMA and for the baseline, chosen by the plan's instruction level (never above
 * what the CPU supports: a higher level than cconv_winograd_best_instruction_level runs that). */
#define DISPATCHED(name, parameters, arguments)                                                           \
    __attribute__((target("avx512f"))) static void name##_avx512 parameters { FOR_TILE_SIZE(name, p, arguments) } \
    __attribute__((target("avx2,fma"))) static void name##_avx2 parameters { FOR_TILE_SIZE(name, p, arguments) }  \
    static void name##_baseline parameters { FOR_TILE_SIZE(name, p, arguments) }                                 \
    void cconv_winograd_##name parameters {                                                                      \
        long best = cconv_winograd_best_instruction_level();                                                     \
        long level = p->instruction_level < best ? p->instruction_level : best;                                  \
        if (level == 2) name##_avx512 arguments;                                                                  \
        else if (level == 1) name##_avx2 arguments;                                                               \
        else name##_baseline arguments;                                                                           \
    }
#else
#define DISPATCHED(name, parameters, arguments) \
    void cconv_winograd_##name parameters { FOR_TILE_SIZE(name, p, arguments) }
#endif

DISPATCHED(transform_input,
           (const cconv_winograd_plan *p, const cconv_geometry *g, const float *input, long block_first,
            long first, long count, float *transformed, float *workspace),
           (p, g, input, block_first, first, count, transformed, workspace))

DISPATCHED(transform_output,
           (const cconv_winograd_plan *p, const cconv_geometry *g, const float *transformed, const float *bias,
            cconv_activation activation, long block_first, long first, long count, float *output, float *workspace),
           (p, g, transformed, bias, activation, block_first, first, count, output, workspace))

DISPATCHED(transform_output_gradient,
           (const cconv_winograd_plan *p, const cconv_geometry *g, const float *output_gradient, long block_first,
            long first, long count, float *transformed, float *workspace),
           (p, g, output_gradient, block_first, first, count, transformed, workspace))

DISPATCHED(transform_input_gradient,
           (const cconv_winograd_plan *p, const cconv_geometry *g, const float *transformed, long block_first,
            long first, long count, float *input_gradient, float *workspace),
           (p, g, transformed, block_first, first, count, input_gradient, workspace))

/* transformed[ξ][in][out] = (G g Gᵀ)[ξ] for the input channels first_in ..< first_in + in_count,
 * LANES output channels at a time: their kernels gathered into [tap][lane], then the same
 * sandwich as the tiles, each ξ row written contiguously. r = α − m + 1, known at compile time
 * with m and α. */
__attribute__((always_inline))
static inline void transform_weight_body(
    const long m, const long alpha, const cconv_winograd_plan *p, const cconv_geometry *g, const float *weight,
    long first_in, long in_count, float *transformed)
{
    const long r = alpha - m + 1;
    long ins = g->in_channels, outs = g->out_channels, matrix = ins * outs;
    float kernels[CCONV_WINOGRAD_MAX_ALPHA * CCONV_WINOGRAD_MAX_ALPHA * LANES];
    for (long in = first_in; in < first_in + in_count; in++) {
        for (long out = 0; out < outs; out += LANES) {
            long lanes = outs - out < LANES ? outs - out : LANES;
            for (long l = 0; l < lanes; l++)
                for (long tap = 0; tap < r * r; tap++) kernels[tap * LANES + l] = weight[((out + l) * ins + in) * r * r + tap];
            sandwich_channels(alpha, r, alpha, r, p->kernel_transform, p->kernel_transform, kernels, r * LANES, LANES,
                              transformed + in * outs + out, alpha * matrix, matrix, 0, lanes);
        }
    }
}

/* weight_gradient[out][in] = Gᵀ dU[·][in][out] G (the adjoint of transform_weight_body) for the
 * input channels first_in ..< first_in + in_count, LANES output channels at a time (contiguous
 * in dU), scattered into the kernels at the end. */
__attribute__((always_inline))
static inline void transform_weight_gradient_body(
    const long m, const long alpha, const cconv_winograd_plan *p, const cconv_geometry *g,
    const float *transformed_gradient, long first_in, long in_count, float *weight_gradient)
{
    const long r = alpha - m + 1;
    long ins = g->in_channels, outs = g->out_channels, matrix = ins * outs;
    float adjoint[CCONV_WINOGRAD_MAX_ALPHA * CCONV_WINOGRAD_MAX_ALPHA];
    transpose_matrix(p->kernel_transform, alpha, r, adjoint);
    float kernels[CCONV_WINOGRAD_MAX_ALPHA * CCONV_WINOGRAD_MAX_ALPHA * LANES];
    for (long in = first_in; in < first_in + in_count; in++) {
        for (long out = 0; out < outs; out += LANES) {
            long lanes = outs - out < LANES ? outs - out : LANES;
            sandwich_channels(r, alpha, r, alpha, adjoint, adjoint, transformed_gradient + in * outs + out,
                              alpha * matrix, matrix, kernels, r * LANES, LANES, 0, lanes);
            for (long l = 0; l < lanes; l++)
                for (long tap = 0; tap < r * r; tap++) weight_gradient[((out + l) * ins + in) * r * r + tap] = kernels[tap * LANES + l];
        }
    }
}

DISPATCHED(transform_weight,
           (const cconv_winograd_plan *p, const cconv_geometry *g, const float *weight, long first_in, long in_count,
            float *transformed),
           (p, g, weight, first_in, in_count, transformed))

DISPATCHED(transform_weight_gradient,
           (const cconv_winograd_plan *p, const cconv_geometry *g, const float *transformed_gradient, long first_in,
            long in_count, float *weight_gradient),
           (p, g, transformed_gradient, first_in, in_count, weight_gradient))
