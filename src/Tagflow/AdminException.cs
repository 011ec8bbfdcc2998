namespace Tagflow;

/// <summary>
/// Thrown for an admin action that cannot be done as asked, or an option or setting that cannot be
/// used; the message says why, and the command prints it as it is. In the root namespace because
/// the admin commands, the features they drive and the data layer (an unusable --db, a wrong key
/// file) all throw it, and none of them should depend on another for it.
/// </summary>
internal sealed class AdminException(string message) : Exception(message);
