namespace Tagflow.Wire;

/// <summary>
/// An object of the wire, with named keys: the contact, the account, a tag, an opt-in process. JSON
/// writes it as an object, like any map; PHP's format (<see cref="PhpSerializer"/>) writes it as a
/// <c>stdClass</c> object, so that <c>$contact-&gt;id</c> works, where maps keyed by ids and lists
/// become PHP arrays (WIRE.md, "PHP-serialized answers").
/// </summary>
internal sealed class WireObject : Dictionary<string, object?>;
