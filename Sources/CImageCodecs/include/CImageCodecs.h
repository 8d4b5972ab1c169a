#ifndef CIMAGECODECS_H
#define CIMAGECODECS_H

/*
 * PNG and JPEG decoding (and PNG encoding) for the Datasets module, on top of libpng and
 * libjpeg.
 *
 * Both libraries report errors by `longjmp`, which Swift cannot catch. Every function here
 * catches them with `setjmp` and returns a status and a message instead, so damaged data
 * never ends the process. Nothing is printed: libpng's and libjpeg's warnings go to the
 * message buffer (the JPEG warnings that mean damaged data are errors) or are dropped.
 *
 * Decoding takes two calls on the same bytes: `*_read_info` parses the header, the caller
 * allocates `width * height * channels` floats, and `*_decode` fills them, interleaved
 * (height, width, channel) and scaled to [0, 1] (value / 255, or value / 65535 for 16-bit
 * PNG samples). Each call parses the data from the start, so no decoder state is kept
 * between them.
 */

#include <stddef.h>
#include <stdint.h>

/* Clang attributes that shape the Swift import; other compilers ignore them. */
#if defined(__has_attribute)
#if __has_attribute(swift_name) && __has_attribute(enum_extensibility)
#define FCDD_SWIFT_NAME(name) __attribute__((swift_name(#name)))
#define FCDD_CLOSED_ENUM __attribute__((enum_extensibility(closed)))
#endif
#endif
#ifndef FCDD_SWIFT_NAME
#define FCDD_SWIFT_NAME(name)
#define FCDD_CLOSED_ENUM
#endif

/** The outcome of a codec call. On failure the message buffer holds the reason. Swift sees
 * a closed enum with the cases `.ok`, `.corrupt`, `.truncated`, `.unsupported`, `.noMemory`. */
typedef enum FCDD_CLOSED_ENUM {
    /** Success. */
    FCDD_IMAGE_OK FCDD_SWIFT_NAME(ok) = 0,
    /** The data is damaged; the message is libpng's or libjpeg's. */
    FCDD_IMAGE_CORRUPT FCDD_SWIFT_NAME(corrupt) = 1,
    /** The data ends before the image does. */
    FCDD_IMAGE_TRUNCATED FCDD_SWIFT_NAME(truncated) = 2,
    /** The data is valid but uses a variant that is not decoded (such as CMYK JPEG). */
    FCDD_IMAGE_UNSUPPORTED FCDD_SWIFT_NAME(unsupported) = 3,
    /** Memory for the codec's buffers could not be allocated. */
    FCDD_IMAGE_NO_MEMORY FCDD_SWIFT_NAME(noMemory) = 4,
} fcdd_image_status;

/** The size and layout of a decoded image. */
typedef struct {
    /** Pixels per row. */
    uint32_t width;
    /** Rows. */
    uint32_t height;
    /** 1 grey, 2 grey + alpha, 3 RGB, 4 RGBA. */
    uint32_t channels;
    /** Bits per sample in the file after expansion: 8, or 16 for 16-bit PNGs. */
    uint32_t bit_depth;
} fcdd_image_info;

/**
 * Reads the header of the PNG in `data[0..<size]` into `info`: palette images expand to RGB,
 * grey images of fewer than 8 bits to 8 bits, and a tRNS chunk to an alpha channel.
 * `message` receives a NUL-terminated reason on failure (at most `message_capacity` bytes).
 */
fcdd_image_status fcdd_png_read_info(const uint8_t *data, size_t size, fcdd_image_info *info,
                                     char *message, size_t message_capacity);

/**
 * Decodes the PNG in `data[0..<size]` into `pixels`, which holds `pixel_count` floats:
 * exactly `width * height * channels` of `fcdd_png_read_info`. Interlaced images are
 * supported. No gamma correction is applied. The whole file is read, up to IEND.
 */
fcdd_image_status fcdd_png_decode(const uint8_t *data, size_t size, float *pixels, size_t pixel_count,
                                  char *message, size_t message_capacity);

/**
 * Encodes `width * height * channels` interleaved floats as a non-interlaced PNG of
 * `bit_depth` 8 or 16 bits (`channels` 1 to 4: grey, grey + alpha, RGB, RGBA). Each value
 * is clamped to [0, 1] (NaN becomes 0) and rounded to the nearest of 256 or 65536 levels.
 * On success `*png` points to `*png_size` bytes allocated with `malloc`, which the caller
 * frees with `free`; on failure `*png` is NULL.
 */
fcdd_image_status fcdd_png_encode(const float *pixels, uint32_t width, uint32_t height, uint32_t channels,
                                  uint32_t bit_depth, uint8_t **png, size_t *png_size,
                                  char *message, size_t message_capacity);

/**
 * Reads the header of the JPEG in `data[0..<size]` into `info`: grey JPEGs have 1 channel,
 * YCbCr and RGB JPEGs 3; CMYK and YCCK JPEGs are unsupported. `bit_depth` is 8.
 */
fcdd_image_status fcdd_jpeg_read_info(const uint8_t *data, size_t size, fcdd_image_info *info,
                                      char *message, size_t message_capacity);

/**
 * Decodes the JPEG in `data[0..<size]` into `pixels`, which holds `pixel_count` floats:
 * exactly `width * height * channels` of `fcdd_jpeg_read_info`. libjpeg's default
 * (accurate integer) IDCT and fancy upsampling are used, as by PIL. Warnings that mean
 * damaged data ("Corrupt JPEG data: ...", "Premature end of JPEG file") are errors.
 */
fcdd_image_status fcdd_jpeg_decode(const uint8_t *data, size_t size, float *pixels, size_t pixel_count,
                                   char *message, size_t message_capacity);

#endif
