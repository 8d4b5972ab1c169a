/*
 * PNG decoding and encoding with libpng's full API, its errors caught with setjmp.
 *
 * The full API rather than the simplified one (png_image_*): the simplified reader
 * premultiplies the colour of 16-bit images with alpha (the linear formats are
 * "associated alpha") and gamma-converts 16-bit images that carry a gAMA or sRGB chunk, and
 * its writer un-premultiplies 16-bit alpha images; either way 16-bit RGBA and grey + alpha
 * images would not keep their values. Here samples are read as stored, like PIL does.
 *
 * Every libpng call runs inside a `*_run` function that owns the `setjmp`; the state that
 * must survive a `longjmp` (libpng's structs, our buffers) lives in a context that the
 * caller declared, outside that function, and is released by the caller.
 */

#include <png.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include "codec_support.h"

/* State of one libpng call, shared with the callbacks through libpng's error and io
 * pointers. */
typedef struct {
    jmp_buf jump;
    png_structp png;
    png_infop info;
    fcdd_image_status status;
    char *message;
    size_t message_capacity;
    /* Reading: the PNG bytes and how many have been consumed. */
    const uint8_t *data;
    size_t size;
    size_t offset;
    /* Rows owned by the codec: one row, or the whole image for interlaced reading. */
    uint8_t *rows;
    png_bytep *row_pointers;
    /* Writing: the encoded bytes so far. */
    uint8_t *output;
    size_t output_size;
    size_t output_capacity;
} png_context;

/* Records the failure (the first one wins) and jumps back to the running `*_run` function. */
__attribute__((noreturn)) static void png_fail(png_context *context, fcdd_image_status status, const char *reason) {
    if (context->status == FCDD_IMAGE_OK) {
        context->status = status;
        fcdd_set_message(context->message, context->message_capacity, "%s", reason);
    }
    longjmp(context->jump, 1);
}

/* libpng's error callback: a damaged file (or, for the messages below, no memory). */
__attribute__((noreturn)) static void png_on_error(png_structp png, png_const_charp reason) {
    png_context *context = png_get_error_ptr(png);
    int no_memory = strstr(reason, "Out of memory") != NULL || strstr(reason, "out of memory") != NULL;
    png_fail(context, no_memory ? FCDD_IMAGE_NO_MEMORY : FCDD_IMAGE_CORRUPT, reason);
}

/* libpng's warnings (a known-incorrect sRGB profile, a damaged ancillary chunk that is
 * skipped, ...) do not affect the pixels: dropped, not printed. */
static void png_on_warning(png_structp png, png_const_charp reason) {
    (void)png;
    (void)reason;
}

/* Reads from the in-memory PNG; running past its end means the file was cut short. */
static void png_read_memory(png_structp png, png_bytep out, size_t length) {
    png_context *context = png_get_io_ptr(png);
    if (length > context->size - context->offset) {
        png_fail(context, FCDD_IMAGE_TRUNCATED, "the PNG data ends before its IEND chunk");
    }
    memcpy(out, context->data + context->offset, length);
    context->offset += length;
}

/* Reads the header and sets up the transformations: palette to RGB, grey of 1, 2 or 4 bits
 * to 8 bits, tRNS to an alpha channel, interlace handling. No gamma or alpha processing. */
static void png_read_header(png_context *context, fcdd_image_info *info, int *passes) {
    png_set_read_fn(context->png, context, png_read_memory);
    png_read_info(context->png, context->info);
    png_set_expand(context->png);
    *passes = png_set_interlace_handling(context->png);
    png_read_update_info(context->png, context->info);
    info->width = png_get_image_width(context->png, context->info);
    info->height = png_get_image_height(context->png, context->info);
    info->channels = png_get_channels(context->png, context->info);
    info->bit_depth = png_get_bit_depth(context->png, context->info);
}

static fcdd_image_status png_read_info_run(png_context *context, fcdd_image_info *info) {
    if (setjmp(context->jump)) return context->status;
    int passes;
    png_read_header(context, info, &passes);
    return FCDD_IMAGE_OK;
}

/* Converts one decoded row of `count` samples to floats in [0, 1]. 16-bit samples are
 * big-endian, as stored. */
static void png_convert_row(const uint8_t *row, float *out, size_t count, uint32_t bit_depth,
                            const float table[256]) {
    if (bit_depth == 16) {
        for (size_t index = 0; index < count; index++) {
            uint32_t sample = (uint32_t)row[2 * index] << 8 | row[2 * index + 1];
            out[index] = (float)sample / 65535.0f;
        }
    } else {
        fcdd_convert_bytes(row, out, count, table);
    }
}

static fcdd_image_status png_decode_run(png_context *context, float *pixels, size_t pixel_count) {
    if (setjmp(context->jump)) return context->status;
    fcdd_image_info info;
    int passes;
    png_read_header(context, &info, &passes);
    size_t row_samples = (size_t)info.width * info.channels;
    if (row_samples * info.height != pixel_count) {
        png_fail(context, FCDD_IMAGE_CORRUPT, "the PNG header differs from the one read before");
    }
    float table[256];
    fcdd_fill_byte_table(table);
    size_t row_bytes = png_get_rowbytes(context->png, context->info);
    if (passes == 1) {
        /* Row by row through one row buffer. */
        context->rows = malloc(row_bytes);
        if (context->rows == NULL) png_fail(context, FCDD_IMAGE_NO_MEMORY, "no memory for a PNG row");
        for (uint32_t y = 0; y < info.height; y++) {
            png_read_row(context->png, context->rows, NULL);
            png_convert_row(context->rows, pixels + y * row_samples, row_samples, info.bit_depth, table);
        }
    } else {
        /* Adam7: each pass fills in pixels of earlier rows, so the whole image is decoded
         * into the codec's buffer first. */
        context->rows = malloc(row_bytes * info.height);
        context->row_pointers = malloc(sizeof(png_bytep) * info.height);
        if (context->rows == NULL || context->row_pointers == NULL) {
            png_fail(context, FCDD_IMAGE_NO_MEMORY, "no memory for the interlaced PNG image");
        }
        for (uint32_t y = 0; y < info.height; y++) context->row_pointers[y] = context->rows + y * row_bytes;
        png_read_image(context->png, context->row_pointers);
        for (uint32_t y = 0; y < info.height; y++) {
            png_convert_row(context->row_pointers[y], pixels + y * row_samples, row_samples, info.bit_depth, table);
        }
    }
    /* Reads (and checks the CRCs of) the chunks after the image, up to IEND. */
    png_read_end(context->png, NULL);
    return FCDD_IMAGE_OK;
}

/* Creates the read structs around `context`, runs `run`, and releases everything. */
static fcdd_image_status png_read_with(const uint8_t *data, size_t size, char *message, size_t message_capacity,
                                       fcdd_image_info *info, float *pixels, size_t pixel_count) {
    png_context context;
    memset(&context, 0, sizeof context);
    context.data = data;
    context.size = size;
    context.message = message;
    context.message_capacity = message_capacity;
    context.png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &context, png_on_error, png_on_warning);
    if (context.png != NULL) context.info = png_create_info_struct(context.png);
    fcdd_image_status status;
    if (context.png == NULL || context.info == NULL) {
        fcdd_set_message(message, message_capacity, "no memory for the PNG decoder");
        status = FCDD_IMAGE_NO_MEMORY;
    } else if (pixels == NULL) {
        status = png_read_info_run(&context, info);
    } else {
        status = png_decode_run(&context, pixels, pixel_count);
    }
    png_destroy_read_struct(&context.png, &context.info, NULL);
    free(context.row_pointers);
    free(context.rows);
    return status;
}

fcdd_image_status fcdd_png_read_info(const uint8_t *data, size_t size, fcdd_image_info *info,
                                     char *message, size_t message_capacity) {
    return png_read_with(data, size, message, message_capacity, info, NULL, 0);
}

fcdd_image_status fcdd_png_decode(const uint8_t *data, size_t size, float *pixels, size_t pixel_count,
                                  char *message, size_t message_capacity) {
    if (pixels == NULL) {
        fcdd_set_message(message, message_capacity, "no pixel buffer");
        return FCDD_IMAGE_CORRUPT;
    }
    return png_read_with(data, size, message, message_capacity, NULL, pixels, pixel_count);
}

/* Appends encoded bytes to the growing output buffer. */
static void png_write_memory(png_structp png, png_bytep bytes, size_t length) {
    png_context *context = png_get_io_ptr(png);
    if (length > context->output_capacity - context->output_size) {
        size_t capacity = context->output_capacity < 4096 ? 4096 : context->output_capacity;
        while (capacity - context->output_size < length) capacity *= 2;
        uint8_t *grown = realloc(context->output, capacity);
        if (grown == NULL) png_fail(context, FCDD_IMAGE_NO_MEMORY, "no memory for the encoded PNG");
        context->output = grown;
        context->output_capacity = capacity;
    }
    memcpy(context->output + context->output_size, bytes, length);
    context->output_size += length;
}

static void png_flush_memory(png_structp png) { (void)png; }

/* Rounds a value clamped to [0, 1] (NaN to 0) to the nearest of `maximum + 1` levels. */
static inline uint32_t png_quantize(float value, float maximum) {
    if (!(value > 0.0f)) return 0;
    if (value >= 1.0f) return (uint32_t)maximum;
    return (uint32_t)(value * maximum + 0.5f);
}

static fcdd_image_status png_encode_run(png_context *context, const float *pixels, uint32_t width, uint32_t height,
                                        uint32_t channels, uint32_t bit_depth) {
    if (setjmp(context->jump)) return context->status;
    static const int color_types[4] = {
        PNG_COLOR_TYPE_GRAY, PNG_COLOR_TYPE_GRAY_ALPHA, PNG_COLOR_TYPE_RGB, PNG_COLOR_TYPE_RGB_ALPHA,
    };
    png_set_write_fn(context->png, context, png_write_memory, png_flush_memory);
    png_set_IHDR(context->png, context->info, width, height, (int)bit_depth, color_types[channels - 1],
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(context->png, context->info);
    size_t row_samples = (size_t)width * channels;
    context->rows = malloc(row_samples * (bit_depth / 8));
    if (context->rows == NULL) png_fail(context, FCDD_IMAGE_NO_MEMORY, "no memory for a PNG row");
    for (uint32_t y = 0; y < height; y++) {
        const float *row = pixels + y * row_samples;
        if (bit_depth == 16) {
            for (size_t index = 0; index < row_samples; index++) {
                uint32_t sample = png_quantize(row[index], 65535.0f);
                context->rows[2 * index] = (uint8_t)(sample >> 8);
                context->rows[2 * index + 1] = (uint8_t)(sample & 0xFF);
            }
        } else {
            for (size_t index = 0; index < row_samples; index++) {
                context->rows[index] = (uint8_t)png_quantize(row[index], 255.0f);
            }
        }
        png_write_row(context->png, context->rows);
    }
    png_write_end(context->png, context->info);
    return FCDD_IMAGE_OK;
}

fcdd_image_status fcdd_png_encode(const float *pixels, uint32_t width, uint32_t height, uint32_t channels,
                                  uint32_t bit_depth, uint8_t **png, size_t *png_size,
                                  char *message, size_t message_capacity) {
    *png = NULL;
    *png_size = 0;
    if (pixels == NULL || channels < 1 || channels > 4 || (bit_depth != 8 && bit_depth != 16)) {
        fcdd_set_message(message, message_capacity, "invalid image layout: %u channels, bit depth %u",
                         channels, bit_depth);
        return FCDD_IMAGE_UNSUPPORTED;
    }
    png_context context;
    memset(&context, 0, sizeof context);
    context.message = message;
    context.message_capacity = message_capacity;
    context.png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &context, png_on_error, png_on_warning);
    if (context.png != NULL) context.info = png_create_info_struct(context.png);
    fcdd_image_status status;
    if (context.png == NULL || context.info == NULL) {
        fcdd_set_message(message, message_capacity, "no memory for the PNG encoder");
        status = FCDD_IMAGE_NO_MEMORY;
    } else {
        status = png_encode_run(&context, pixels, width, height, channels, bit_depth);
    }
    png_destroy_write_struct(&context.png, &context.info);
    free(context.rows);
    if (status == FCDD_IMAGE_OK) {
        *png = context.output;
        *png_size = context.output_size;
    } else {
        free(context.output);
    }
    return status;
}
