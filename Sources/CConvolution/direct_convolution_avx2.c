/*
 * The direct convolution kernels of direct_convolution.c for CPUs with AVX2 and FMA but
 * without AVX-512 (most laptops, AMD Zen 1 to 3 servers): the same algorithms on 8-float YMM
 * vectors, with register tiles cut to fit the 16 YMM registers:
 *
 * - forward pass (and input gradient, on the transposed and flipped weight): up to
 *   TILE_POSITIONS consecutive output positions of one row × 16 output channels, i.e. 12
 *   accumulators, two weight vectors loaded once per input channel and tap, and one broadcast
 *   input value per position;
 * - weight gradient: up to TILE_POSITIONS kernel taps × 16 output channels of one input
 *   channel (whole kernel rows of kernels up to 3 columns wide, a run of columns of one row
 *   of wider kernels, so any kernel width fits), the output gradient read as [position][16];
 * - forward pass for few input channels: NARROW_CHANNELS output channels × 16 consecutive
 *   positions of one row (two vectors, the last one masked), one broadcast weight per channel
 *   and tap, stored straight into the output rows.
 *
 * Every tile keeps 12 independent accumulators, enough to cover the latency of two FMA pipes,
 * and needs 8 loads per 12 FMAs, which two load ports sustain. The weights are packed as the
 * AVX-512 kernels pack theirs ([block][in][kh][kw][block]), in blocks of 16 output channels
 * (NARROW_CHANNELS for the narrow kernel).
 *
 * Only this file uses AVX2 and FMA, through the `target` attribute, so the package still
 * builds for plain x86-64; the caller checks cconv_avx2_fma_supported() at run time.
 */

#include "CConvolution.h"
#include "direct_convolution_layout.h"

#include <string.h>

#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>
#endif

enum {
    CHANNEL_BLOCK = 16,   /* output channels per register tile: two YMM vectors */
    TILE_POSITIONS = 6,   /* most output positions (or kernel taps) per register tile: 12 accumulators */
    NARROW_CHANNELS = 6,  /* output channels per tile of the kernel for few input channels */
    NARROW_POSITIONS = 16 /* most output positions per narrow tile: two YMM vectors */
};

static long channel_blocks(const cconv_geometry *g) { return blocks_of(g, CHANNEL_BLOCK); }

size_t cconv_avx2_packed_weight_floats(const cconv_geometry *g) { return blocked_weight_floats(g, CHANNEL_BLOCK); }

size_t cconv_avx2_workspace_floats(const cconv_geometry *g) {
    return (size_t)(g->in_channels * g->height * padded_width(g) + TILE_POSITIONS * CHANNEL_BLOCK);
}

void cconv_avx2_pack_weight(const cconv_geometry *g, const float *weight, int transpose_flip, float *packed) {
    cconv_pack_in_blocks(g, weight, transpose_flip, CHANNEL_BLOCK, packed);
}

size_t cconv_avx2_weight_gradient_workspace_floats(const cconv_geometry *g) {
    return (size_t)(g->in_channels * padded_height(g) * padded_width(g)
                    + channel_blocks(g) * g->out_height * g->out_width * CHANNEL_BLOCK);
}

void cconv_avx2_unpack_weight_gradient(const cconv_geometry *g, const float *packed, float *weight_gradient) {
    cconv_unpack_from_blocks(g, packed, CHANNEL_BLOCK, weight_gradient);
}

size_t cconv_avx2_narrow_packed_weight_floats(const cconv_geometry *g) {
    return blocked_weight_floats(g, NARROW_CHANNELS);
}

void cconv_avx2_narrow_pack_weight(const cconv_geometry *g, const float *weight, float *packed) {
    cconv_pack_in_blocks(g, weight, 0, NARROW_CHANNELS, packed);
}

#if defined(__x86_64__)

int cconv_avx2_fma_supported(void) {
    unsigned eax, ebx, ecx, edx;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return 0;
    if (!(ecx & bit_OSXSAVE) || !(ecx & bit_AVX) || !(ecx & bit_FMA)) return 0;
    unsigned xcr0_low, xcr0_high;
    __asm__ volatile("xgetbv" : "=a"(xcr0_low), "=d"(xcr0_high) : "c"(0));
    /* SSE and the upper halves of YMM0-15 saved by the OS. */
    if ((xcr0_low & 0x6) != 0x6) return 0;
    if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx)) return 0;
    return (ebx & bit_AVX2) ? 1 : 0;
}

/* tile[position][16] = Σ over input channels and kernel rows first_row ..< end_row, all kernel
 * columns, of weight × padded input. `rows` points at kernel row `first_row` of the window of
 * the first position; `positions` is a compile-time constant after inlining, so the
 * accumulators live in registers. */
__attribute__((target("avx2,fma"), always_inline))
static inline void register_tile(
    const int positions, const cconv_geometry *g, const float *rows,
    const float *block_weight, long first_row, long end_row, float *tile)
{
    __m256 acc[TILE_POSITIONS][2];
    for (int p = 0; p < positions; p++) {
        acc[p][0] = _mm256_setzero_ps();
        acc[p][1] = _mm256_setzero_ps();
    }
    const long row_stride = padded_width(g);
    const long channel_stride = g->height * row_stride;
    for (long in = 0; in < g->in_channels; in++) {
        for (long kh = first_row; kh < end_row; kh++) {
            const float *row = rows + in * channel_stride + (kh - first_row) * row_stride;
            const float *taps = block_weight + ((in * g->kernel_height + kh) * g->kernel_width) * CHANNEL_BLOCK;
            for (long kw = 0; kw < g->kernel_width; kw++) {
                __m256 w0 = _mm256_loadu_ps(taps + kw * CHANNEL_BLOCK);
                __m256 w1 = _mm256_loadu_ps(taps + kw * CHANNEL_BLOCK + 8);
                for (int p = 0; p < positions; p++) {
                    __m256 x = _mm256_broadcast_ss(row + p + kw);
                    acc[p][0] = _mm256_fmadd_ps(x, w0, acc[p][0]);
                    acc[p][1] = _mm256_fmadd_ps(x, w1, acc[p][1]);
                }
            }
        }
    }
    for (int p = 0; p < positions; p++) {
        _mm256_storeu_ps(tile + p * CHANNEL_BLOCK, acc[p][0]);
        _mm256_storeu_ps(tile + p * CHANNEL_BLOCK + 8, acc[p][1]);
    }
}

__attribute__((target("avx2,fma")))
static void register_tile_of(
    int positions, const cconv_geometry *g, const float *rows, const float *block_weight,
    long first_row, long end_row, float *tile)
{
    switch (positions) {
#define TILE(n) case n: register_tile(n, g, rows, block_weight, first_row, end_row, tile); break;
    TILE(1) TILE(2) TILE(3) TILE(4) TILE(5) TILE(6)
#undef TILE
    default: break;
    }
}

__attribute__((target("avx2,fma")))
void cconv_forward_avx2(
    const cconv_geometry *g, const float *input, const float *packed_weight, const float *bias,
    float *output, long first_image, long image_count, float *workspace)
{
    const long row_stride = padded_width(g);
    const long out_plane = g->out_height * g->out_width;
    const long block_floats = g->in_channels * g->kernel_height * g->kernel_width * CHANNEL_BLOCK;
    const long tiles_per_row = (g->out_width + TILE_POSITIONS - 1) / TILE_POSITIONS;
    const long tile_width = (g->out_width + tiles_per_row - 1) / tiles_per_row;
    float *padded = workspace;
    float *tile = workspace + g->in_channels * g->height * row_stride;
    for (long image = first_image; image < first_image + image_count; image++) {
        cconv_pad_image(g, input + image * g->in_channels * g->height * g->width, g->height, 0, padded);
        float *image_output = output + image * g->out_channels * out_plane;
        for (long block = 0; block < channel_blocks(g); block++) {
            long first_channel = block * CHANNEL_BLOCK;
            long channels = g->out_channels - first_channel < CHANNEL_BLOCK ? g->out_channels - first_channel : CHANNEL_BLOCK;
            for (long out_row = 0; out_row < g->out_height; out_row++) {
                long top = out_row - g->pad_top, first_row, end_row;
                rows_inside(g, out_row, &first_row, &end_row);
                for (long column = 0; column < g->out_width; column += tile_width) {
                    long positions = g->out_width - column < tile_width ? g->out_width - column : tile_width;
                    if (first_row < end_row) {
                        register_tile_of((int)positions, g, padded + (top + first_row) * row_stride + column,
                                         packed_weight + block * block_floats, first_row, end_row, tile);
                    } else {
                        memset(tile, 0, sizeof(float) * TILE_POSITIONS * CHANNEL_BLOCK);
                    }
                    for (long c = 0; c < channels; c++) {
                        float *target = image_output + (first_channel + c) * out_plane + out_row * g->out_width + column;
                        float shift = bias ? bias[first_channel + c] : 0.0f;
                        for (long p = 0; p < positions; p++) target[p] = tile[p * CHANNEL_BLOCK + c] + shift;
                    }
                }
            }
        }
    }
}

/* tile[t][16] += Σ over positions of output gradient × padded input, for the taps of kernel
 * rows first_row ..< first_row + rows and kernel columns first_column ..< first_column + width
 * of one input channel; `tile` points at the first of them, and the tile's kernel rows lie
 * kernel_width taps apart. `gradient` is the image's output gradient of one channel block,
 * [position][16]; `padded` the input channel with all padding rows and columns
 * materialised. `rows` and `width` are compile-time constants after inlining, so the
 * accumulators and tap offsets stay in registers. */
__attribute__((target("avx2,fma"), always_inline))
static inline void gradient_tile(
    const int rows, const int width, const cconv_geometry *g, const float *gradient, const float *padded,
    long first_row, long first_column, float *tile)
{
    __m256 acc[TILE_POSITIONS][2];
    const long tap_row = g->kernel_width * CHANNEL_BLOCK;
    for (int r = 0; r < rows; r++) {
        for (int c = 0; c < width; c++) {
            acc[r * width + c][0] = _mm256_loadu_ps(tile + r * tap_row + c * CHANNEL_BLOCK);
            acc[r * width + c][1] = _mm256_loadu_ps(tile + r * tap_row + c * CHANNEL_BLOCK + 8);
        }
    }
    const long row_stride = padded_width(g);
    for (long out_row = 0; out_row < g->out_height; out_row++) {
        const float *window = padded + (out_row + first_row) * row_stride + first_column;
        const float *dy = gradient + out_row * g->out_width * CHANNEL_BLOCK;
        for (long column = 0; column < g->out_width; column++) {
            __m256 d0 = _mm256_loadu_ps(dy + column * CHANNEL_BLOCK);
            __m256 d1 = _mm256_loadu_ps(dy + column * CHANNEL_BLOCK + 8);
            for (int r = 0; r < rows; r++) {
                const float *row = window + r * row_stride + column;
                for (int c = 0; c < width; c++) {
                    __m256 x = _mm256_broadcast_ss(row + c);
                    acc[r * width + c][0] = _mm256_fmadd_ps(x, d0, acc[r * width + c][0]);
                    acc[r * width + c][1] = _mm256_fmadd_ps(x, d1, acc[r * width + c][1]);
                }
            }
        }
    }
    for (int r = 0; r < rows; r++) {
        for (int c = 0; c < width; c++) {
            _mm256_storeu_ps(tile + r * tap_row + c * CHANNEL_BLOCK, acc[r * width + c][0]);
            _mm256_storeu_ps(tile + r * tap_row + c * CHANNEL_BLOCK + 8, acc[r * width + c][1]);
        }
    }
}

/* gradient_tile for every (rows, width) with rows × width ≤ TILE_POSITIONS. */
__attribute__((target("avx2,fma")))
static void gradient_tile_of(
    int rows, int width, const cconv_geometry *g, const float *gradient, const float *padded,
    long first_row, long first_column, float *tile)
{
    switch (rows * 8 + width) {
#define GRADIENT(r, w) case (r) * 8 + (w): gradient_tile(r, w, g, gradient, padded, first_row, first_column, tile); return;
    GRADIENT(1, 1) GRADIENT(2, 1) GRADIENT(3, 1) GRADIENT(4, 1) GRADIENT(5, 1) GRADIENT(6, 1)
    GRADIENT(1, 2) GRADIENT(2, 2) GRADIENT(3, 2)
    GRADIENT(1, 3) GRADIENT(2, 3)
    GRADIENT(1, 4) GRADIENT(1, 5) GRADIENT(1, 6)
#undef GRADIENT
    default: return;
    }
}

__attribute__((target("avx2,fma")))
void cconv_weight_gradient_avx2(
    const cconv_geometry *g, const float *input, const float *output_gradient, float *packed_gradient,
    long first_image, long image_count, float *workspace)
{
    const long row_stride = padded_width(g);
    const long padded_rows = padded_height(g);
    const long out_plane = g->out_height * g->out_width;
    const long taps = g->kernel_height * g->kernel_width;
    const long block_floats = g->in_channels * taps * CHANNEL_BLOCK;
    const long blocks = channel_blocks(g);
    /* Kernel rows of up to TILE_POSITIONS taps are cut into runs of columns of about equal
     * length; narrower rows are taken as many whole rows at a time as fit in a tile. */
    const long runs = (g->kernel_width + TILE_POSITIONS - 1) / TILE_POSITIONS;
    const long run_width = (g->kernel_width + runs - 1) / runs;
    const long rows_per_tile = runs == 1 ? TILE_POSITIONS / g->kernel_width : 1;
    float *padded = workspace;
    float *gradient = workspace + g->in_channels * padded_rows * row_stride;
    for (long image = first_image; image < first_image + image_count; image++) {
        cconv_pad_image(g, input + image * g->in_channels * g->height * g->width, padded_rows, g->pad_top, padded);
        /* The output gradient as [block][position][16], zero beyond the last channel. */
        const float *dy = output_gradient + image * g->out_channels * out_plane;
        memset(gradient, 0, sizeof(float) * (size_t)(blocks * out_plane * CHANNEL_BLOCK));
        for (long channel = 0; channel < g->out_channels; channel++) {
            float *target = gradient + (channel / CHANNEL_BLOCK) * out_plane * CHANNEL_BLOCK + channel % CHANNEL_BLOCK;
            const float *plane = dy + channel * out_plane;
            for (long position = 0; position < out_plane; position++) target[position * CHANNEL_BLOCK] = plane[position];
        }
        for (long block = 0; block < blocks; block++) {
            const float *block_gradient = gradient + block * out_plane * CHANNEL_BLOCK;
            for (long channel = 0; channel < g->in_channels; channel++) {
                const float *channel_input = padded + channel * padded_rows * row_stride;
                float *tiles = packed_gradient + block * block_floats + channel * taps * CHANNEL_BLOCK;
                for (long row = 0; row < g->kernel_height; row += rows_per_tile) {
                    long rows = g->kernel_height - row < rows_per_tile ? g->kernel_height - row : rows_per_tile;
                    for (long column = 0; column < g->kernel_width; column += run_width) {
                        long width = g->kernel_width - column < run_width ? g->kernel_width - column : run_width;
                        gradient_tile_of((int)rows, (int)width, g, block_gradient, channel_input, row, column,
                                         tiles + (row * g->kernel_width + column) * CHANNEL_BLOCK);
                    }
                }
            }
        }
    }
}

/* The forward pass of convolutions with few input channels: a register tile of `channels`
 * (≤ NARROW_CHANNELS) output channels × `vectors` vectors of 8 consecutive output positions
 * of one row. With `masked`, the last vector holds only the first `in_last` lanes (the row's
 * end, the lanes `mask` selects): it is loaded masked and stored lane by lane. `channels`,
 * `vectors` and `masked` are compile-time constants after inlining. */
__attribute__((target("avx2,fma"), always_inline))
static inline void narrow_tile(
    const int channels, const int vectors, const int masked, const cconv_geometry *g, const float *rows,
    const float *block_weight, long first_row, long end_row, const float *bias, float *out, long out_plane,
    __m256i mask, long in_last)
{
    __m256 acc[NARROW_CHANNELS][2];
    for (int c = 0; c < channels; c++) {
        acc[c][0] = _mm256_set1_ps(bias ? bias[c] : 0.0f);
        acc[c][1] = acc[c][0];
    }
    const long row_stride = padded_width(g);
    const long channel_stride = g->height * row_stride;
    for (long in = 0; in < g->in_channels; in++) {
        for (long kh = first_row; kh < end_row; kh++) {
            const float *row = rows + in * channel_stride + (kh - first_row) * row_stride;
            const float *taps = block_weight + ((in * g->kernel_height + kh) * g->kernel_width) * NARROW_CHANNELS;
            for (long kw = 0; kw < g->kernel_width; kw++) {
                __m256 x0, x1;
                if (vectors == 2) {
                    x0 = _mm256_loadu_ps(row + kw);
                    x1 = masked ? _mm256_maskload_ps(row + kw + 8, mask) : _mm256_loadu_ps(row + kw + 8);
                } else {
                    x0 = masked ? _mm256_maskload_ps(row + kw, mask) : _mm256_loadu_ps(row + kw);
                    x1 = x0;
                }
                for (int c = 0; c < channels; c++) {
                    __m256 w = _mm256_broadcast_ss(taps + kw * NARROW_CHANNELS + c);
                    acc[c][0] = _mm256_fmadd_ps(w, x0, acc[c][0]);
                    if (vectors == 2) acc[c][1] = _mm256_fmadd_ps(w, x1, acc[c][1]);
                }
            }
        }
    }
    for (int c = 0; c < channels; c++) {
        float *target = out + c * out_plane;
        if (vectors == 2) _mm256_storeu_ps(target, acc[c][0]);
        float *last = vectors == 2 ? target + 8 : target;
        __m256 value = vectors == 2 ? acc[c][1] : acc[c][0];
        if (!masked) {
            _mm256_storeu_ps(last, value);
        } else {
            /* vmaskmovps stores are microcoded on AMD CPUs: copy the lanes instead. */
            float lanes[8];
            _mm256_storeu_ps(lanes, value);
            for (long i = 0; i < in_last; i++) last[i] = lanes[i];
        }
    }
}

__attribute__((target("avx2,fma")))
static void narrow_tile_of(
    int channels, int vectors, int masked, const cconv_geometry *g, const float *rows, const float *block_weight,
    long first_row, long end_row, const float *bias, float *out, long out_plane, __m256i mask, long in_last)
{
    switch ((channels * 2 + vectors - 1) * 2 + masked) {
#define NARROW(c, v, m) \
    case ((c) * 2 + (v) - 1) * 2 + (m): \
        narrow_tile(c, v, m, g, rows, block_weight, first_row, end_row, bias, out, out_plane, mask, in_last); break;
#define NARROW_ALL(c) NARROW(c, 1, 0) NARROW(c, 1, 1) NARROW(c, 2, 0) NARROW(c, 2, 1)
    NARROW_ALL(1) NARROW_ALL(2) NARROW_ALL(3) NARROW_ALL(4) NARROW_ALL(5) NARROW_ALL(6)
#undef NARROW_ALL
#undef NARROW
    default: break;
    }
}

__attribute__((target("avx2,fma")))
void cconv_narrow_forward_avx2(
    const cconv_geometry *g, const float *input, const float *packed_weight, const float *bias,
    float *output, long first_image, long image_count, float *workspace)
{
    const long row_stride = padded_width(g);
    const long out_plane = g->out_height * g->out_width;
    const long block_floats = g->in_channels * g->kernel_height * g->kernel_width * NARROW_CHANNELS;
    const long blocks = blocks_of(g, NARROW_CHANNELS);
    const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    for (long image = first_image; image < first_image + image_count; image++) {
        cconv_pad_image(g, input + image * g->in_channels * g->height * g->width, g->height, 0, workspace);
        float *image_output = output + image * g->out_channels * out_plane;
        for (long block = 0; block < blocks; block++) {
            long first_channel = block * NARROW_CHANNELS;
            long channels = g->out_channels - first_channel < NARROW_CHANNELS ? g->out_channels - first_channel : NARROW_CHANNELS;
            for (long out_row = 0; out_row < g->out_height; out_row++) {
                long first_row, end_row;
                rows_inside(g, out_row, &first_row, &end_row);
                /* No kernel row inside the image: bias only, and the rows are not read. */
                const float *rows = first_row < end_row ? workspace + (out_row - g->pad_top + first_row) * row_stride
                                                         : workspace;
                for (long column = 0; column < g->out_width; column += NARROW_POSITIONS) {
                    long remaining = g->out_width - column;
                    int vectors = remaining > 8 ? 2 : 1;
                    long in_last = remaining >= NARROW_POSITIONS ? 8 : remaining > 8 ? remaining - 8 : remaining;
                    __m256i mask = _mm256_cmpgt_epi32(_mm256_set1_epi32((int)in_last), lanes);
                    narrow_tile_of((int)channels, vectors, in_last < 8, g, rows + column,
                                   packed_weight + block * block_floats, first_row,
                                   first_row < end_row ? end_row : first_row, bias ? bias + first_channel : NULL,
                                   image_output + first_channel * out_plane + out_row * g->out_width + column,
                                   out_plane, mask, in_last);
                }
            }
        }
    }
}

#else

int cconv_avx2_fma_supported(void) { return 0; }

#endif
