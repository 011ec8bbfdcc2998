using Tagflow.Wire;

namespace Tagflow.Contacts;

internal sealed record AddOrUpdateRequest(string? Email, string? SmsNumber, long? ListId, long? TagId, Dictionary<string, string?>? Fields);

internal sealed record UpdateRequest(Dictionary<string, string?>? Fields, string? NewEmail, string? NewSmsNumber);

internal sealed record EmailRequest(string? Email);

internal sealed record SearchRequest(string? Email) : IWireFilter;

internal sealed record TagRequest(string? Email, List<long>? TagIds);

internal sealed record UntagRequest(string? Email, long? TagId);

/// <summary><c>GET /subscriber</c>: status and bounce filters (lists or comma lists), and Tagflow's paging.</summary>
internal sealed record ListFilter(List<string>? Status, List<string>? BounceStatus, long? Limit, long? After) : IWireFilter;

internal sealed record TaggedFilter(long? TagId, List<string>? Status, List<string>? BounceStatus, long? Limit, long? After) : IWireFilter;
