// zlib's inflate, for DICOM's Deflated Explicit VR Little Endian transfer syntax.
#include <zlib.h>
