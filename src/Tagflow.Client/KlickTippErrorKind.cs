namespace Tagflow.Client;

/// <summary>What kind of failure a <see cref="KlickTippException"/> reports, so callers need not parse text.</summary>
public enum KlickTippErrorKind
{
    /// <summary>406: the server understood the request and refused it by a rule; see <see cref="KlickTippException.ErrorCode"/>. Nothing was changed.</summary>
    Refused,

    /// <summary>400: the request was malformed or missed a required value.</summary>
    BadRequest,

    /// <summary>401: wrong username or password.</summary>
    WrongLogin,

    /// <summary>403: not authenticated (wrong keys, revoked grant, expired session) or not allowed (the plan has no API access).</summary>
    AccessDenied,

    /// <summary>404: no such contact, tag, field, opt-in process or other entity.</summary>
    NotFound,

    /// <summary>429: too many requests; <see cref="KlickTippException.RetryAfter"/> says how long to wait.</summary>
    TooManyRequests,

    /// <summary>5xx: the server failed; the client has already retried where that was safe.</summary>
    ServerError,

    /// <summary>No answer: the server could not be reached, or did not answer in time, after the retries.</summary>
    Unreachable,

    /// <summary>An answer the client could not read, or a status the wire contract does not use.</summary>
    UnexpectedAnswer,
}
