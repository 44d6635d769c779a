/// A two-dimensional image of `Sample`s: row-major, origin at the top-left, no row padding
/// (the row stride is always `width`).
///
/// `PixelBuffer` is a value type: copies share storage until one of them is written
/// (copy-on-write through the underlying array), so passing frames between queues is cheap and
/// safe. Mutation happens only inside scoped closures; pointers handed to them must not escape.
public struct PixelBuffer<Sample: BitwiseCopyable & Sendable>: Sendable {
    public let width: Int
    public let height: Int
    public private(set) var samples: [Sample]

    /// Creates an image filled with `value`.
    public init(width: Int, height: Int, repeating value: Sample) {
        precondition(width >= 0 && height >= 0, "negative image size")
        self.width = width
        self.height = height
        self.samples = Array(repeating: value, count: width * height)
    }

    /// Wraps existing row-major samples; `samples.count` must equal `width * height`.
    public init(width: Int, height: Int, samples: [Sample]) {
        precondition(width >= 0 && height >= 0 && samples.count == width * height,
                     "sample count \(samples.count) does not match \(width)x\(height)")
        self.width = width
        self.height = height
        self.samples = samples
    }

    /// Creates an image whose samples are written once by `initializer`, straight into the
    /// final storage (decoders and filters use this to avoid a zero-fill and a copy).
    /// The initializer must write every sample. Inlinable so that `initializer` is inlined into
    /// the caller's loop rather than called per image through a closure context.
    @inlinable
    public init(
        width: Int, height: Int,
        initializingWith initializer: (UnsafeMutableBufferPointer<Sample>) throws -> Void
    ) rethrows {
        precondition(width >= 0 && height >= 0, "negative image size")
        let count = width * height
        self.init(width: width, height: height, samples: try Array(unsafeUninitializedCapacity: count) { buffer, initialized in
            try initializer(UnsafeMutableBufferPointer(rebasing: buffer[0..<count]))
            initialized = count
        })
    }

    public var pixelCount: Int { width * height }
    public var isEmpty: Bool { width == 0 || height == 0 }

    public subscript(x: Int, y: Int) -> Sample {
        get { samples[y * width + x] }
        set { samples[y * width + x] = newValue }
    }

    @inlinable
    public func withUnsafeSamples<R>(_ body: (UnsafeBufferPointer<Sample>) throws -> R) rethrows -> R {
        try samples.withUnsafeBufferPointer(body)
    }

    public mutating func withUnsafeMutableSamples<R>(
        _ body: (UnsafeMutableBufferPointer<Sample>) throws -> R
    ) rethrows -> R {
        try samples.withUnsafeMutableBufferPointer { try body($0) }
    }

    /// Returns a new image with `transform` applied to every sample.
    ///
    /// Inlinable so callers in other modules get it specialised for their sample types: the
    /// generic `Array.map` it replaced went through value witnesses per sample and was 40 % of
    /// `analyze`'s CPU time (mask dilation and conversions on full-size frames).
    @inlinable
    public func map<T: BitwiseCopyable & Sendable>(_ transform: (Sample) -> T) -> PixelBuffer<T> {
        withUnsafeSamples { source in
            PixelBuffer<T>(width: width, height: height) { out in
                for i in 0..<source.count { out[i] = transform(source[i]) }
            }
        }
    }

    /// Copies the rectangle `region` (clipped to the image) into a new image.
    public func cropped(to region: Region) -> PixelBuffer<Sample> {
        let r = region.clipped(width: width, height: height)
        var out: [Sample] = []
        out.reserveCapacity(r.width * r.height)
        for y in r.y..<(r.y + r.height) {
            let start = y * width + r.x
            out.append(contentsOf: samples[start..<(start + r.width)])
        }
        return PixelBuffer(width: r.width, height: r.height, samples: out)
    }
}

extension PixelBuffer: Equatable where Sample: Equatable {}
extension PixelBuffer: Hashable where Sample: Hashable {}

public typealias GrayImage = PixelBuffer<UInt8>
public typealias GrayImage16 = PixelBuffer<UInt16>
public typealias FloatImage = PixelBuffer<Float>

/// An axis-aligned rectangle in pixel coordinates (origin top-left), libvips' vocabulary for a tile.
public struct Region: Sendable, Hashable, Codable {
    public var x: Int
    public var y: Int
    public var width: Int
    public var height: Int

    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x; self.y = y; self.width = width; self.height = height
    }

    public func clipped(width imageWidth: Int, height imageHeight: Int) -> Region {
        let x0 = max(0, min(x, imageWidth)), y0 = max(0, min(y, imageHeight))
        let x1 = max(x0, min(x + width, imageWidth)), y1 = max(y0, min(y + height, imageHeight))
        return Region(x: x0, y: y0, width: x1 - x0, height: y1 - y0)
    }
}
