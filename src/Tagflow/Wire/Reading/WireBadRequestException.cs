namespace Tagflow.Wire;

/// <summary>A request Tagflow cannot read; answered 400 with the message, which names the problem.</summary>
internal sealed class WireBadRequestException(string message) : Exception(message);
