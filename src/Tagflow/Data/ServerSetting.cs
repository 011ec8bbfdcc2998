namespace Tagflow.Data;

/// <summary>A value the server keeps about itself (not about an account).</summary>
internal sealed class ServerSetting
{
    public const string KeyFingerprint = "server-key-fingerprint";

    public required string Name { get; set; }
    public required string Value { get; set; }
}
