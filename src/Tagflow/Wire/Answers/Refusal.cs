namespace Tagflow.Wire;

/// <summary>
/// Why a change was refused, for the API and the command line alike: a sentence, and the wire's
/// error number for a 406; or no such entity (404).
/// </summary>
internal sealed record Refusal(string Message, int? Error = null, bool NotFound = false)
{
    /// <summary>No such entity, with nothing more to say than the wire's 404 does.</summary>
    public static readonly Refusal NoSuchEntity = new(WireResults.NoSuchEntity, NotFound: true);

    /// <summary>404 for no such entity, 406 with the error number, else 400 with the sentence.</summary>
    public IResult ToResult() =>
        NotFound ? WireResults.NotFound() : Error is { } error ? WireResults.Refused(error) : WireResults.BadRequest(Message);
}
