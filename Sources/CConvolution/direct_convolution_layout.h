/*
 * The data layouts the direct convolution kernels share (direct_convolution.c for AVX-512,
 * direct_convolution_avx2.c for AVX2 with FMA): padded image rows, weights packed in blocks of
 * output channels, and the kernel rows of a window that lie inside the image. Private to the
 * CConvolution target.
 */
#ifndef CCONV_DIRECT_CONVOLUTION_LAYOUT_H
#define CCONV_DIRECT_CONVOLUTION_LAYOUT_H

#include "CConvolution.h"

/* Columns of a padded image row: every window of an output row reads memory. */
static inline long padded_width(const cconv_geometry *g) { return g->out_width + g->kernel_width - 1; }

/* Rows of an input channel with the top and bottom padding materialised (weight gradient). */
static inline long padded_height(const cconv_geometry *g) { return g->out_height + g->kernel_height - 1; }

/* Blocks of `block` output channels, the last one possibly partial. */
static inline long blocks_of(const cconv_geometry *g, long block) { return (g->out_channels + block - 1) / block; }

/* Floats of a weight packed in blocks of `block` output channels, [block][in][kh][kw][block]. */
static inline size_t blocked_weight_floats(const cconv_geometry *g, long block) {
    return (size_t)(blocks_of(g, block) * g->in_channels * g->kernel_height * g->kernel_width * block);
}

/* The kernel rows first ..< end of the window of output row `out_row` that lie inside the
 * image (first ≥ end when none does). */
static inline void rows_inside(const cconv_geometry *g, long out_row, long *first, long *end) {
    long top = out_row - g->pad_top;
    *first = top < 0 ? -top : 0;
    *end = top + g->kernel_height > g->height ? g->height - top : g->kernel_height;
}

/* The image's channels as `rows` rows each (image row r at row r + row_offset; rows outside
 * are dropped) of padded_width columns (image column c at c + pad_left), zeros elsewhere, so
 * every window reads memory. The forward pass keeps the image's rows (its windows skip rows
 * outside the image); the weight gradient materialises the padding rows too. */
__attribute__((visibility("hidden")))
void cconv_pad_image(const cconv_geometry *g, const float *image, long rows, long row_offset, float *padded);

/* Packs the weight in blocks of `block` output channels, [block][in][kh][kw][block], zero
 * beyond the last channel. With `transpose_flip` = 0, `weight` is [out][in][kh][kw]; with 1 it
 * is [in][out][kh][kw] and is read transposed and rotated by 180° (see cconv_pack_weight). */
__attribute__((visibility("hidden")))
void cconv_pack_in_blocks(const cconv_geometry *g, const float *weight, int transpose_flip, long block, float *packed);

/* Writes a weight gradient packed in blocks of `block` output channels as [out][in][kh][kw]. */
__attribute__((visibility("hidden")))
void cconv_unpack_from_blocks(const cconv_geometry *g, const float *packed, long block, float *weight_gradient);

#endif
