/*
 * Direct convolution with AVX-512, the way oneDNN's `jit:avx512_core` forward convolution
 * works on NCHW data: a register tile holds up to TILE_POSITIONS consecutive output positions
 * of one row × 32 output channels (two vectors of 16 channels each), and for every input
 * channel and kernel tap it loads the tap's 32 weights once and broadcasts one input value per
 * position. Unlike a lowering to a GEMM, there is no lowered matrix to write and read back,
 * and kernel rows that fall entirely into the top or bottom padding are skipped.
 *
 * The weight gradient is vectorised the same way: a register tile holds up to TILE_POSITIONS
 * kernel taps × 32 output channels of one input channel, and for every output position it
 * loads the position's 32 output-gradient values once and broadcasts one input value per tap.
 *
 * Only this file uses AVX-512, through the `target` attribute, so the package still builds for
 * plain x86-64; the caller checks cconv_avx512_supported() at run time. The same kernels for
 * AVX2 with FMA are in direct_convolution_avx2.c; the layouts both share (padded rows, weights
 * packed in blocks of output channels) in direct_convolution_layout.h.
 */

#include "CConvolution.h"
#include "direct_convolution_layout.h"

#include <string.h>

#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>
#endif

enum {
    CHANNEL_BLOCK = 32,   /* output channels per register tile: two ZMM vectors */
    TILE_POSITIONS = 12,  /* most output positions per register tile: 24 accumulators */
    NARROW_CHANNELS = 12, /* output channels per tile of the kernel for few input channels */
};

static long channel_blocks(const cconv_geometry *g) { return blocks_of(g, CHANNEL_BLOCK); }

size_t cconv_packed_weight_floats(const cconv_geometry *g) { return blocked_weight_floats(g, CHANNEL_BLOCK); }

size_t cconv_workspace_floats(const cconv_geometry *g) {
    return (size_t)(g->in_channels * g->height * padded_width(g) + TILE_POSITIONS * CHANNEL_BLOCK);
}

size_t cconv_weight_gradient_workspace_floats(const cconv_geometry *g) {
    return (size_t)(g->in_channels * padded_height(g) * padded_width(g) + channel_blocks(g) * g->out_height * g->out_width * CHANNEL_BLOCK);
}

void cconv_unpack_from_blocks(const cconv_geometry *g, const float *packed, long block_size, float *weight_gradient) {
    long taps = g->kernel_height * g->kernel_width;
    long per_channel = g->in_channels * taps;
    for (long out = 0; out < g->out_channels; out++) {
        const float *block = packed + (out / block_size) * per_channel * block_size + out % block_size;
        for (long r = 0; r < per_channel; r++) weight_gradient[out * per_channel + r] = block[r * block_size];
    }
}

void cconv_unpack_weight_gradient(const cconv_geometry *g, const float *packed, float *weight_gradient) {
    cconv_unpack_from_blocks(g, packed, CHANNEL_BLOCK, weight_gradient);
}

void cconv_pack_in_blocks(const cconv_geometry *g, const float *weight, int transpose_flip, long block, float *packed) {
    long taps = g->kernel_height * g->kernel_width;
    long per_channel = g->in_channels * taps;
    memset(packed, 0, sizeof(float) * blocked_weight_floats(g, block));
    for (long out = 0; out < g->out_channels; out++) {
        float *lane = packed + (out / block) * per_channel * block + out % block;
        for (long in = 0; in < g->in_channels; in++) {
            for (long tap = 0; tap < taps; tap++) {
                float value = transpose_flip
                    ? weight[(in * g->out_channels + out) * taps + (taps - 1 - tap)]
                    : weight[(out * g->in_channels + in) * taps + tap];
                lane[(in * taps + tap) * block] = value;
            }
        }
    }
}

void cconv_pack_weight(const cconv_geometry *g, const float *weight, int transpose_flip, float *packed) {
    cconv_pack_in_blocks(g, weight, transpose_flip, CHANNEL_BLOCK, packed);
}

size_t cconv_narrow_packed_weight_floats(const cconv_geometry *g) { return blocked_weight_floats(g, NARROW_CHANNELS); }

size_t cconv_narrow_workspace_floats(const cconv_geometry *g) {
    return (size_t)(g->in_channels * g->height * padded_width(g));
}

void cconv_narrow_pack_weight(const cconv_geometry *g, const float *weight, float *packed) {
    cconv_pack_in_blocks(g, weight, 0, NARROW_CHANNELS, packed);
}

void cconv_pad_image(const cconv_geometry *g, const float *image, long rows, long row_offset, float *padded) {
    long row_stride = padded_width(g);
    long copied = g->width;
    if (g->pad_left + copied > row_stride) copied = row_stride - g->pad_left;
    memset(padded, 0, sizeof(float) * (size_t)(g->in_channels * rows * row_stride));
    if (copied <= 0) return;
    for (long channel = 0; channel < g->in_channels; channel++) {
        for (long row = 0; row < g->height; row++) {
            long target = row + row_offset;
            if (target < 0 || target >= rows) continue;
            memcpy(padded + (channel * rows + target) * row_stride + g->pad_left,
                   image + (channel * g->height + row) * g->width, sizeof(float) * (size_t)copied);
        }
    }
}

#if defined(__x86_64__)

int cconv_avx512_supported(void) {
    unsigned eax, ebx, ecx, edx;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx) || !(ecx & bit_OSXSAVE)) return 0;
    unsigned xcr0_low, xcr0_high;
    __asm__ volatile("xgetbv" : "=a"(xcr0_low), "=d"(xcr0_high) : "c"(0));
    /* SSE, AVX, opmask, upper halves of ZMM0-15 and ZMM16-31 saved by the OS. */
    if ((xcr0_low & 0xE6) != 0xE6) return 0;
    if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx)) return 0;
    return (ebx & bit_AVX512F) ? 1 : 0;
}

/* tile[position][32] = Σ over input channels and kernel rows first_row ..< end_row, all kernel
 * columns, of weight × padded input. `rows` points at kernel row `first_row` of the window of
 * the first position; `positions` is a compile-time constant after inlining, so the
 * accumulators live in registers. */
__attribute__((target("avx512f"), always_inline))
static inline void register_tile(
    const int positions, const cconv_geometry *g, const float *rows,
    const float *block_weight, long first_row, long end_row, float *tile)
{
    __m512 acc[TILE_POSITIONS][2];
    for (int p = 0; p < positions; p++) {
        acc[p][0] = _mm512_setzero_ps();
        acc[p][1] = _mm512_setzero_ps();
    }
    const long row_stride = padded_width(g);
    const long channel_stride = g->height * row_stride;
    for (long in = 0; in < g->in_channels; in++) {
        for (long kh = first_row; kh < end_row; kh++) {
            const float *row = rows + in * channel_stride + (kh - first_row) * row_stride;
            const float *taps = block_weight + ((in * g->kernel_height + kh) * g->kernel_width) * CHANNEL_BLOCK;
            for (long kw = 0; kw < g->kernel_width; kw++) {
                __m512 w0 = _mm512_loadu_ps(taps + kw * CHANNEL_BLOCK);
                __m512 w1 = _mm512_loadu_ps(taps + kw * CHANNEL_BLOCK + 16);
                for (int p = 0; p < positions; p++) {
                    __m512 x = _mm512_set1_ps(row[p + kw]);
                    acc[p][0] = _mm512_fmadd_ps(x, w0, acc[p][0]);
                    acc[p][1] = _mm512_fmadd_ps(x, w1, acc[p][1]);
                }
            }
        }
    }
    for (int p = 0; p < positions; p++) {
        _mm512_storeu_ps(tile + p * CHANNEL_BLOCK, acc[p][0]);
        _mm512_storeu_ps(tile + p * CHANNEL_BLOCK + 16, acc[p][1]);
    }
}

__attribute__((target("avx512f")))
static void register_tile_of(
    int positions, const cconv_geometry *g, const float *rows, const float *block_weight,
    long first_row, long end_row, float *tile)
{
    switch (positions) {
#define TILE(n) case n: register_tile(n, g, rows, block_weight, first_row, end_row, tile); break;
    TILE(1) TILE(2) TILE(3) TILE(4) TILE(5) TILE(6) TILE(7) TILE(8) TILE(9) TILE(10) TILE(11) TILE(12)
#undef TILE
    default: break;
    }
}

__attribute__((target("avx512f")))
void cconv_forward_avx512(
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

/* tile[t][32] += Σ over positions of output gradient × padded input, for the taps of kernel
 * rows first_row ..< first_row + rows and all `width` kernel columns of one input channel.
 * `gradient` is the image's output gradient of one channel block, [position][32]; `padded`
 * the input channel with all padding rows and columns materialised. `rows` and `width` are
 * compile-time constants after inlining, so the accumulators and tap offsets stay in
 * registers. */
__attribute__((target("avx512f"), always_inline))
static inline void gradient_tile(
    const int rows, const int width, const cconv_geometry *g, const float *gradient, const float *padded,
    long first_row, float *tile)
{
    __m512 acc[TILE_POSITIONS][2];
    for (int t = 0; t < rows * width; t++) {
        acc[t][0] = _mm512_loadu_ps(tile + t * CHANNEL_BLOCK);
        acc[t][1] = _mm512_loadu_ps(tile + t * CHANNEL_BLOCK + 16);
    }
    const long row_stride = padded_width(g);
    for (long out_row = 0; out_row < g->out_height; out_row++) {
        const float *window = padded + (out_row + first_row) * row_stride;
        const float *dy = gradient + out_row * g->out_width * CHANNEL_BLOCK;
        for (long column = 0; column < g->out_width; column++) {
            __m512 d0 = _mm512_loadu_ps(dy + column * CHANNEL_BLOCK);
            __m512 d1 = _mm512_loadu_ps(dy + column * CHANNEL_BLOCK + 16);
            for (int r = 0; r < rows; r++) {
                const float *row = window + r * row_stride + column;
                for (int c = 0; c < width; c++) {
                    __m512 x = _mm512_set1_ps(row[c]);
                    acc[r * width + c][0] = _mm512_fmadd_ps(x, d0, acc[r * width + c][0]);
                    acc[r * width + c][1] = _mm512_fmadd_ps(x, d1, acc[r * width + c][1]);
                }
            }
        }
    }
    for (int t = 0; t < rows * width; t++) {
        _mm512_storeu_ps(tile + t * CHANNEL_BLOCK, acc[t][0]);
        _mm512_storeu_ps(tile + t * CHANNEL_BLOCK + 16, acc[t][1]);
    }
}

/* gradient_tile for every (kernel width, rows) with width × rows ≤ TILE_POSITIONS. */
__attribute__((target("avx512f")))
static void gradient_tile_of(
    int rows, const cconv_geometry *g, const float *gradient, const float *padded, long first_row, float *tile)
{
    switch (g->kernel_width) {
    case 1:
        switch (rows) { case 1: gradient_tile(1, 1, g, gradient, padded, first_row, tile); return; case 2: gradient_tile(2, 1, g, gradient, padded, first_row, tile); return; case 3: gradient_tile(3, 1, g, gradient, padded, first_row, tile); return; case 4: gradient_tile(4, 1, g, gradient, padded, first_row, tile); return; case 5: gradient_tile(5, 1, g, gradient, padded, first_row, tile); return; case 6: gradient_tile(6, 1, g, gradient, padded, first_row, tile); return; case 7: gradient_tile(7, 1, g, gradient, padded, first_row, tile); return; case 8: gradient_tile(8, 1, g, gradient, padded, first_row, tile); return; case 9: gradient_tile(9, 1, g, gradient, padded, first_row, tile); return; case 10: gradient_tile(10, 1, g, gradient, padded, first_row, tile); return; case 11: gradient_tile(11, 1, g, gradient, padded, first_row, tile); return; case 12: gradient_tile(12, 1, g, gradient, padded, first_row, tile); return; default: return; }
    case 2:
        switch (rows) { case 1: gradient_tile(1, 2, g, gradient, padded, first_row, tile); return; case 2: gradient_tile(2, 2, g, gradient, padded, first_row, tile); return; case 3: gradient_tile(3, 2, g, gradient, padded, first_row, tile); return; case 4: gradient_tile(4, 2, g, gradient, padded, first_row, tile); return; case 5: gradient_tile(5, 2, g, gradient, padded, first_row, tile); return; case 6: gradient_tile(6, 2, g, gradient, padded, first_row, tile); return; default: return; }
    case 3:
        switch (rows) { case 1: gradient_tile(1, 3, g, gradient, padded, first_row, tile); return; case 2: gradient_tile(2, 3, g, gradient, padded, first_row, tile); return; case 3: gradient_tile(3, 3, g, gradient, padded, first_row, tile); return; case 4: gradient_tile(4, 3, g, gradient, padded, first_row, tile); return; default: return; }
    case 4:
        switch (rows) { case 1: gradient_tile(1, 4, g, gradient, padded, first_row, tile); return; case 2: gradient_tile(2, 4, g, gradient, padded, first_row, tile); return; case 3: gradient_tile(3, 4, g, gradient, padded, first_row, tile); return; default: return; }
    case 5:
        switch (rows) { case 1: gradient_tile(1, 5, g, gradient, padded, first_row, tile); return; case 2: gradient_tile(2, 5, g, gradient, padded, first_row, tile); return; default: return; }
    case 6:
        switch (rows) { case 1: gradient_tile(1, 6, g, gradient, padded, first_row, tile); return; case 2: gradient_tile(2, 6, g, gradient, padded, first_row, tile); return; default: return; }
    case 7:
        switch (rows) { case 1: gradient_tile(1, 7, g, gradient, padded, first_row, tile); return; default: return; }
    case 8:
        switch (rows) { case 1: gradient_tile(1, 8, g, gradient, padded, first_row, tile); return; default: return; }
    case 9:
        switch (rows) { case 1: gradient_tile(1, 9, g, gradient, padded, first_row, tile); return; default: return; }
    case 10:
        switch (rows) { case 1: gradient_tile(1, 10, g, gradient, padded, first_row, tile); return; default: return; }
    case 11:
        switch (rows) { case 1: gradient_tile(1, 11, g, gradient, padded, first_row, tile); return; default: return; }
    case 12:
        switch (rows) { case 1: gradient_tile(1, 12, g, gradient, padded, first_row, tile); return; default: return; }
    default: return;
    }
}

__attribute__((target("avx512f")))
void cconv_weight_gradient_avx512(
    const cconv_geometry *g, const float *input, const float *output_gradient, float *packed_gradient,
    long first_image, long image_count, float *workspace)
{
    const long row_stride = padded_width(g);
    const long padded_rows = padded_height(g);
    const long out_plane = g->out_height * g->out_width;
    const long taps = g->kernel_height * g->kernel_width;
    const long block_floats = g->in_channels * taps * CHANNEL_BLOCK;
    const long blocks = channel_blocks(g);
    /* Kernel rows per tile: as many whole rows as fit in TILE_POSITIONS taps. */
    long rows_per_tile = TILE_POSITIONS / g->kernel_width;
    float *padded = workspace;
    float *gradient = workspace + g->in_channels * padded_rows * row_stride;
    for (long image = first_image; image < first_image + image_count; image++) {
        cconv_pad_image(g, input + image * g->in_channels * g->height * g->width, padded_rows, g->pad_top, padded);
        /* The output gradient as [block][position][32], zero beyond the last channel. */
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
                    gradient_tile_of((int)rows, g, block_gradient, channel_input, row,
                                     tiles + row * g->kernel_width * CHANNEL_BLOCK);
                }
            }
        }
    }
}

/* The forward pass of convolutions with few input channels (the first layers: 1 or 3), where
 * the tile above would spend as long transposing its 32 channels into the output as
 * multiplying: here a register tile holds NARROW_CHANNELS output channels × up to 32
 * consecutive output positions of one row (two vectors along the row), so each input channel
 * and tap costs two row loads and one weight broadcast per channel, and the results are
 * stored straight into the output rows. Positions past the row's end are masked. */
__attribute__((target("avx512f"), always_inline))
static inline void narrow_tile(
    const int channels, const int vectors, const cconv_geometry *g, const float *rows, const float *block_weight,
    long first_row, long end_row, const float *bias, float *out, long out_plane, __mmask16 last_mask)
{
    __m512 acc[NARROW_CHANNELS][2];
    for (int c = 0; c < channels; c++) {
        acc[c][0] = _mm512_set1_ps(bias ? bias[c] : 0.0f);
        acc[c][1] = acc[c][0];
    }
    const long row_stride = padded_width(g);
    const long channel_stride = g->height * row_stride;
    for (long in = 0; in < g->in_channels; in++) {
        for (long kh = first_row; kh < end_row; kh++) {
            const float *row = rows + in * channel_stride + (kh - first_row) * row_stride;
            const float *taps = block_weight + ((in * g->kernel_height + kh) * g->kernel_width) * NARROW_CHANNELS;
            for (long kw = 0; kw < g->kernel_width; kw++) {
                __m512 x0 = vectors == 2 ? _mm512_loadu_ps(row + kw) : _mm512_maskz_loadu_ps(last_mask, row + kw);
                __m512 x1 = vectors == 2 ? _mm512_maskz_loadu_ps(last_mask, row + kw + 16) : x0;
                for (int c = 0; c < channels; c++) {
                    __m512 w = _mm512_set1_ps(taps[kw * NARROW_CHANNELS + c]);
                    acc[c][0] = _mm512_fmadd_ps(w, x0, acc[c][0]);
                    if (vectors == 2) acc[c][1] = _mm512_fmadd_ps(w, x1, acc[c][1]);
                }
            }
        }
    }
    for (int c = 0; c < channels; c++) {
        if (vectors == 2) {
            _mm512_storeu_ps(out + c * out_plane, acc[c][0]);
            _mm512_mask_storeu_ps(out + c * out_plane + 16, last_mask, acc[c][1]);
        } else {
            _mm512_mask_storeu_ps(out + c * out_plane, last_mask, acc[c][0]);
        }
    }
}

__attribute__((target("avx512f")))
static void narrow_tile_of(
    int channels, int vectors, const cconv_geometry *g, const float *rows, const float *block_weight,
    long first_row, long end_row, const float *bias, float *out, long out_plane, __mmask16 last_mask)
{
    switch (channels * 2 + vectors - 1) {
#define NARROW(c, v) case c * 2 + v - 1: narrow_tile(c, v, g, rows, block_weight, first_row, end_row, bias, out, out_plane, last_mask); break;
#define NARROW_BOTH(c) NARROW(c, 1) NARROW(c, 2)
    NARROW_BOTH(1) NARROW_BOTH(2) NARROW_BOTH(3) NARROW_BOTH(4) NARROW_BOTH(5) NARROW_BOTH(6)
    NARROW_BOTH(7) NARROW_BOTH(8) NARROW_BOTH(9) NARROW_BOTH(10) NARROW_BOTH(11) NARROW_BOTH(12)
#undef NARROW_BOTH
#undef NARROW
    default: break;
    }
}

__attribute__((target("avx512f")))
void cconv_narrow_forward_avx512(
    const cconv_geometry *g, const float *input, const float *packed_weight, const float *bias,
    float *output, long first_image, long image_count, float *workspace)
{
    const long row_stride = padded_width(g);
    const long out_plane = g->out_height * g->out_width;
    const long block_floats = g->in_channels * g->kernel_height * g->kernel_width * NARROW_CHANNELS;
    const long blocks = blocks_of(g, NARROW_CHANNELS);
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
                for (long column = 0; column < g->out_width; column += 32) {
                    long remaining = g->out_width - column;
                    int vectors = remaining > 16 ? 2 : 1;
                    long in_last = remaining >= 32 ? 16 : remaining > 16 ? remaining - 16 : remaining;
                    __mmask16 last_mask = (__mmask16)((1u << in_last) - 1u);
                    narrow_tile_of((int)channels, vectors, g, rows + column, packed_weight + block * block_floats,
                                   first_row, first_row < end_row ? end_row : first_row,
                                   bias ? bias + first_channel : NULL,
                                   image_output + first_channel * out_plane + out_row * g->out_width + column,
                                   out_plane, last_mask);
                }
            }
        }
    }
}

#else

int cconv_avx512_supported(void) { return 0; }

#endif
