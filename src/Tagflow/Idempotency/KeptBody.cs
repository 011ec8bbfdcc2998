namespace Tagflow.Idempotency;

/// <summary>A response body that goes out as written and is also kept, up to a size, to be answered again.</summary>
internal sealed class KeptBody(Stream inner, int limit) : Stream
{
    private readonly MemoryStream _kept = new();

    /// <summary>The answer was larger than the limit, so what was kept is not all of it.</summary>
    public bool Overflowed { get; private set; }

    public byte[] Kept => _kept.ToArray();

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        Keep(buffer);
        inner.Write(buffer);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Keep(buffer.Span);
        return inner.WriteAsync(buffer, cancellationToken);
    }

    private void Keep(ReadOnlySpan<byte> buffer)
    {
        if (Overflowed) return;
        if (_kept.Length + buffer.Length > limit)
        {
            Overflowed = true;
            _kept.SetLength(0);
            return;
        }
        _kept.Write(buffer);
    }

    public override void Flush() => inner.Flush();
    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);
    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) _kept.Dispose();
        base.Dispose(disposing);
    }
}
