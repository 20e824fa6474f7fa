using System.Runtime.InteropServices;

namespace Skiff.Images;

/// <summary>Streaming zstd decompression through the system's libzstd (Debian's libzstd1, which dpkg
/// itself depends on): no managed zstd library is in the package feed, and the C library is the
/// reference implementation anyway.</summary>
internal sealed unsafe partial class ZstdDecompressionStream : ForwardReadStream
{
    private const string Library = "libzstd.so.1";

    [StructLayout(LayoutKind.Sequential)]
    private struct InBuffer
    {
        public byte* Src;
        public nuint Size;
        public nuint Pos;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct OutBuffer
    {
        public byte* Dst;
        public nuint Size;
        public nuint Pos;
    }

    [LibraryImport(Library)] private static partial nint ZSTD_createDStream();
    [LibraryImport(Library)] private static partial nuint ZSTD_freeDStream(nint stream);
    [LibraryImport(Library)] private static partial nuint ZSTD_decompressStream(nint stream, OutBuffer* output, InBuffer* input);
    [LibraryImport(Library)] private static partial uint ZSTD_isError(nuint code);
    [LibraryImport(Library)] private static partial nint ZSTD_getErrorName(nuint code);

    private readonly Stream _inner;
    private readonly byte[] _input = new byte[128 * 1024];
    private nint _context;
    private int _inputLength;
    private int _inputPosition;
    private bool _innerEnded;
    // ZSTD_decompressStream returns 0 exactly when a frame is complete: anything else at the end of
    // the input means the blob was cut short.
    private bool _frameOpen;

    public ZstdDecompressionStream(Stream inner)
    {
        _inner = inner;
        try
        {
            _context = ZSTD_createDStream();
        }
        catch (DllNotFoundException e)
        {
            throw new UnsupportedLayerException("zstd layers need libzstd.so.1: install it with `apt-get install libzstd1`", e);
        }
        if (_context == 0)
            throw new OutOfMemoryException("ZSTD_createDStream failed");
    }

    public override int Read(Span<byte> buffer)
    {
        if (buffer.IsEmpty)
            return 0;
        while (true)
        {
            if (_inputPosition == _inputLength && !_innerEnded)
            {
                _inputLength = _inner.Read(_input);
                _inputPosition = 0;
                _innerEnded = _inputLength == 0;
            }
            fixed (byte* src = _input)
            fixed (byte* dst = buffer)
            {
                var input = new InBuffer { Src = src, Size = (nuint)_inputLength, Pos = (nuint)_inputPosition };
                var output = new OutBuffer { Dst = dst, Size = (nuint)buffer.Length, Pos = 0 };
                var result = ZSTD_decompressStream(_context, &output, &input);
                if (ZSTD_isError(result) != 0)
                    throw new InvalidDataException($"zstd layer is corrupt: {Marshal.PtrToStringUTF8(ZSTD_getErrorName(result))}");
                // A call that consumed and produced nothing (the end of input after a finished frame)
                // reports what a next frame would need; that says nothing about the last one.
                if ((int)input.Pos != _inputPosition || output.Pos > 0)
                    _frameOpen = result != 0;
                _inputPosition = (int)input.Pos;
                if (output.Pos > 0)
                    return (int)output.Pos;
            }
            if (_innerEnded && _inputPosition == _inputLength)
                return _frameOpen ? throw new InvalidDataException("zstd layer is truncated") : 0;
        }
    }


    protected override void Dispose(bool disposing)
    {
        if (_context != 0)
        {
            ZSTD_freeDStream(_context);
            _context = 0;
        }
        base.Dispose(disposing);
    }
}
