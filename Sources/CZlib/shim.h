#include <zlib.h>

/// inflateInit2 is a macro; Swift cannot call it directly.
static inline int CZlib_inflateInit2(z_stream *stream, int windowBits) {
    return inflateInit2(stream, windowBits);
}
